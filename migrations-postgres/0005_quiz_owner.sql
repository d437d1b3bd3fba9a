-- The process (its configured instance name) that runs a quiz (as
-- migrations/0005_quiz_owner.sql): a restarting process closes only the
-- quizzes it owned.
ALTER TABLE quiz_sessions ADD COLUMN owner TEXT NOT NULL DEFAULT '';
-- Recovery looks for one owner's unfinished sessions.
CREATE INDEX quiz_sessions_open_by_owner ON quiz_sessions (owner) WHERE ended_at_ms IS NULL;
