-- A daily post's nonce, chosen when it is claimed and sent with every
-- attempt, so the platform drops a repeat of a send that may already have
-- arrived (Discord's enforced nonce, a Matrix transaction id); and the
-- instance that claimed it, which re-sends it after a crash. Older rows
-- have neither and are never re-sent.
ALTER TABLE daily_posts ADD COLUMN nonce TEXT;
ALTER TABLE daily_posts ADD COLUMN claimed_by TEXT;
