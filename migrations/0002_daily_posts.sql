-- Daily "on this day" posts: one subscription per channel, one claimed post
-- per subscription and local date (the claim that makes posting exactly once).

CREATE TABLE daily_subscriptions (
    id INTEGER PRIMARY KEY,
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    channel_id TEXT NOT NULL,
    -- Local time of day, HH:MM, in time_zone (an IANA name).
    local_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    -- The next instant it is due; the scheduler's one query is on this.
    next_fire_at_ms INTEGER NOT NULL,
    -- Rotation cycle: events are not repeated within a cycle.
    cycle INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    -- Days in a row whose post failed after every retry.
    failed_days INTEGER NOT NULL DEFAULT 0,
    updated_at_ms INTEGER NOT NULL,
    UNIQUE (scope_id, channel_id)
);

CREATE INDEX daily_subscriptions_due ON daily_subscriptions (enabled, next_fire_at_ms);

CREATE TABLE daily_posts (
    subscription_id INTEGER NOT NULL REFERENCES daily_subscriptions (id),
    local_date TEXT NOT NULL,
    event_key TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    claimed_at_ms INTEGER NOT NULL,
    -- claimed, sent, failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at_ms INTEGER,
    PRIMARY KEY (subscription_id, local_date)
);
