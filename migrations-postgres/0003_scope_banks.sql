-- Question banks a scope imported from chat (as migrations/0003_scope_banks.sql).
CREATE TABLE scope_questions (
    id BIGSERIAL PRIMARY KEY,
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    bank TEXT NOT NULL,
    question_json TEXT NOT NULL,
    added_at_ms BIGINT NOT NULL
);

CREATE INDEX scope_questions_by_scope ON scope_questions (scope_id);
