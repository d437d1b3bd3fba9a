-- Question banks a scope (a Discord guild, a Matrix room) imported from chat.
-- Each row is one question, serialised as JSON by the bot.
CREATE TABLE scope_questions (
    id INTEGER PRIMARY KEY,
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    bank TEXT NOT NULL,
    question_json TEXT NOT NULL,
    added_at_ms INTEGER NOT NULL
);

CREATE INDEX scope_questions_by_scope ON scope_questions (scope_id);
