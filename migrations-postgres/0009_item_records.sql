-- Item-level records (as migrations/0009_item_records.sql): which question
-- (its stable item id) each answer was to, and the choice given (its text,
-- or what was typed). Older answers have NULL in both and stay valid.
ALTER TABLE quiz_answers ADD COLUMN item_id TEXT;
ALTER TABLE quiz_answers ADD COLUMN choice TEXT;

CREATE INDEX quiz_answers_by_item ON quiz_answers (scope_id, item_id);

-- Each question asked (or reviewed) in a scope, as it was first asked.
CREATE TABLE quiz_items (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    item_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    answer TEXT NOT NULL,
    question_json TEXT NOT NULL,
    first_asked_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope_id, item_id)
);
