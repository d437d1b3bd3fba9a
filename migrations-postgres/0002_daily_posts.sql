-- Daily "on this day" posts (as migrations/0002_daily_posts.sql): one
-- subscription per channel, one claimed post per subscription and local
-- date. The primary key on daily_posts is the claim: whichever process
-- inserts the row first posts, every other process's insert does nothing.

CREATE TABLE daily_subscriptions (
    id BIGSERIAL PRIMARY KEY,
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    channel_id TEXT NOT NULL,
    local_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    next_fire_at_ms BIGINT NOT NULL,
    cycle BIGINT NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    failed_days BIGINT NOT NULL DEFAULT 0,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (scope_id, channel_id)
);

CREATE INDEX daily_subscriptions_due ON daily_subscriptions (enabled, next_fire_at_ms);

CREATE TABLE daily_posts (
    subscription_id BIGINT NOT NULL REFERENCES daily_subscriptions (id),
    local_date TEXT NOT NULL,
    event_key TEXT NOT NULL,
    cycle BIGINT NOT NULL,
    claimed_at_ms BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at_ms BIGINT,
    PRIMARY KEY (subscription_id, local_date)
);
