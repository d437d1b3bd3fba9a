-- Daily review reminders: a player opts in (`/review remind on`) in a
-- scope, and once a day at their local time, when some of their review
-- cards there are due, the scheduler tells them how many, privately where
-- the platform allows (a Discord direct message, a Matrix direct-message
-- room), else in `channel_id`, where they opted in.
CREATE TABLE review_reminders (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    channel_id TEXT NOT NULL,
    local_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    next_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope_id, user_id)
);

CREATE INDEX review_reminders_due ON review_reminders (enabled, next_at_ms);

-- One row per reminder and local date: the claim. Whichever process
-- inserts it first sends the reminder; every other insert does nothing, so
-- a reminder goes out once a day at most, across restarts and processes.
CREATE TABLE review_reminders_sent (
    scope_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    due INTEGER NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (scope_id, user_id, local_date),
    FOREIGN KEY (scope_id, user_id) REFERENCES review_reminders (scope_id, user_id)
);
