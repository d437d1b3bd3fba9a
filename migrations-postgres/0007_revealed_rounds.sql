-- How many rounds of a session were revealed (as migrations/0007_revealed_rounds.sql).
ALTER TABLE quiz_sessions ADD COLUMN revealed BIGINT NOT NULL DEFAULT 0;
UPDATE quiz_sessions
SET revealed = (SELECT COALESCE(MAX(a.round), 0) FROM quiz_answers a WHERE a.session_id = quiz_sessions.id);
