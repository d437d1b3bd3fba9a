-- The process (its configured instance name) that runs a quiz, so a
-- restarting process closes only the quizzes it owned, on the platforms it
-- serves. Sessions from before this column are owned by no one in
-- particular ('') and closed by whichever process serves their platform.
ALTER TABLE quiz_sessions ADD COLUMN owner TEXT NOT NULL DEFAULT '';
