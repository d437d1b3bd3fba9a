-- Personal review (FSRS): one memory card per scope, user and item. A card
-- is made when a player misses a question in a quiz, or first reviews it;
-- review answers update it and never the scores. The FSRS state is kept as
-- plain numbers: state 0 new, 1 learning, 2 review, 3 relearning.
CREATE TABLE review_cards (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    item_id TEXT NOT NULL,
    due_at_ms INTEGER NOT NULL,
    stability DOUBLE PRECISION NOT NULL,
    difficulty DOUBLE PRECISION NOT NULL,
    elapsed_days INTEGER NOT NULL,
    scheduled_days INTEGER NOT NULL,
    reps INTEGER NOT NULL,
    lapses INTEGER NOT NULL,
    state INTEGER NOT NULL,
    last_review_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope_id, user_id, item_id)
);

CREATE INDEX review_cards_due ON review_cards (scope_id, user_id, due_at_ms);

-- Every review answer, for the teacher's report and for auditing the
-- schedule.
CREATE TABLE review_log (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    item_id TEXT NOT NULL,
    reviewed_at_ms INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    due_at_ms INTEGER NOT NULL
);

CREATE INDEX review_log_by_user ON review_log (scope_id, user_id, reviewed_at_ms);
