-- Daily review reminders (as migrations/0012_review_reminders.sql): one
-- opt-in per scope and player, and one claimed reminder per player and
-- local date; the primary key on review_reminders_sent is the claim.
CREATE TABLE review_reminders (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    channel_id TEXT NOT NULL,
    local_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    next_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope_id, user_id)
);

CREATE INDEX review_reminders_due ON review_reminders (enabled, next_at_ms);

CREATE TABLE review_reminders_sent (
    scope_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    local_date TEXT NOT NULL,
    due BIGINT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at_ms BIGINT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (scope_id, user_id, local_date),
    FOREIGN KEY (scope_id, user_id) REFERENCES review_reminders (scope_id, user_id)
);
