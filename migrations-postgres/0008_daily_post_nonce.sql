-- A daily post's nonce and the instance that claimed it (as
-- migrations/0008_daily_post_nonce.sql): the nonce is sent with every
-- attempt so the platform drops a repeat; the claiming instance re-sends
-- it after a crash. Older rows have neither and are never re-sent.
ALTER TABLE daily_posts ADD COLUMN nonce TEXT;
ALTER TABLE daily_posts ADD COLUMN claimed_by TEXT;
