-- Teacher controls over quiz questions, per scope (a Discord guild, a
-- Matrix room, the terminal). Questions are named by their stable id
-- (bank ids, or generated ids made from the sentence and the answer).

-- A player's report that a question is wrong. One per player and question;
-- flagging again replaces the reason.
CREATE TABLE question_flags (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    question_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    prompt TEXT NOT NULL,
    reason TEXT NOT NULL,
    flagged_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope_id, question_id, user_id)
);

-- Questions an admin took out of the scope's quizzes.
CREATE TABLE retired_questions (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    question_id TEXT NOT NULL,
    retired_by INTEGER NOT NULL REFERENCES users (id),
    retired_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope_id, question_id)
);
