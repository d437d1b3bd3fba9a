-- Personal review (FSRS), as migrations/0010_review_cards.sql: one memory
-- card per scope, user and item; state 0 new, 1 learning, 2 review,
-- 3 relearning. Review answers update cards and never the scores.
CREATE TABLE review_cards (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    item_id TEXT NOT NULL,
    due_at_ms BIGINT NOT NULL,
    stability DOUBLE PRECISION NOT NULL,
    difficulty DOUBLE PRECISION NOT NULL,
    elapsed_days BIGINT NOT NULL,
    scheduled_days BIGINT NOT NULL,
    reps BIGINT NOT NULL,
    lapses BIGINT NOT NULL,
    state BIGINT NOT NULL,
    last_review_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope_id, user_id, item_id)
);

CREATE INDEX review_cards_due ON review_cards (scope_id, user_id, due_at_ms);

-- Every review answer, for the teacher's report and for auditing the schedule.
CREATE TABLE review_log (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    item_id TEXT NOT NULL,
    reviewed_at_ms BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    due_at_ms BIGINT NOT NULL
);

CREATE INDEX review_log_by_user ON review_log (scope_id, user_id, reviewed_at_ms);
