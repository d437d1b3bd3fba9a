-- Item-level records: which question each answer was to, and what was
-- chosen. An item id is stable across builds and quizzes: a bank
-- question's id, or for a generated question a hash of its source
-- sentence and answer (so a reworded pack keeps its history where the
-- sentence stays). Older answers have NULL here and stay valid.
ALTER TABLE quiz_answers ADD COLUMN item_id TEXT;
-- The choice given, as its text (letters are shuffled per quiz), or the
-- typed answer. NULL for older answers.
ALTER TABLE quiz_answers ADD COLUMN choice TEXT;

CREATE INDEX quiz_answers_by_item ON quiz_answers (scope_id, item_id);

-- Each question asked (or reviewed) in a scope, as it was asked, so it can
-- be asked again in a review and named in a report.
CREATE TABLE quiz_items (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    item_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    answer TEXT NOT NULL,
    question_json TEXT NOT NULL,
    first_asked_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope_id, item_id)
);
