-- Flagged and retired questions per scope (as migrations/0004_question_flags.sql).
CREATE TABLE question_flags (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    question_id TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    prompt TEXT NOT NULL,
    reason TEXT NOT NULL,
    flagged_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope_id, question_id, user_id)
);

CREATE TABLE retired_questions (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    question_id TEXT NOT NULL,
    retired_by BIGINT NOT NULL REFERENCES users (id),
    retired_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope_id, question_id)
);
