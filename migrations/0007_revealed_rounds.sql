-- How many rounds of a session were revealed, kept with the session: a
-- round nobody answered leaves no quiz_answers row, so counting answers
-- under-counted ("2 revealed rounds" reported as 1). Backfilled from the
-- answers, the best that older rows can tell.
ALTER TABLE quiz_sessions ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0;
UPDATE quiz_sessions
SET revealed = (SELECT COALESCE(MAX(a.round), 0) FROM quiz_answers a WHERE a.session_id = quiz_sessions.id);
