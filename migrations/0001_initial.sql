-- Lectern's first schema. Forward-only: never edit a landed migration, add a
-- new one. Portable SQL (SQLite today, PostgreSQL later): integer
-- epoch-millisecond times, 0/1 integers for booleans, ON CONFLICT upserts.

-- A person on one platform. Discord and Matrix users are distinct rows.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    UNIQUE (platform, platform_user_id)
);

-- Where scores are kept: a Discord guild, a Matrix room, the terminal.
CREATE TABLE scopes (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    platform_scope_id TEXT NOT NULL,
    time_zone TEXT,
    UNIQUE (platform, platform_scope_id)
);

CREATE TABLE quiz_sessions (
    id INTEGER PRIMARY KEY,
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    channel_id TEXT NOT NULL,
    started_by INTEGER NOT NULL REFERENCES users (id),
    started_at_ms INTEGER NOT NULL,
    rounds INTEGER NOT NULL,
    ended_at_ms INTEGER,
    end_reason TEXT
);

CREATE INDEX quiz_sessions_unfinished ON quiz_sessions (ended_at_ms);

-- One row per player per revealed round, written in one transaction at the
-- reveal together with the running totals in `scores`.
CREATE TABLE quiz_answers (
    session_id INTEGER NOT NULL REFERENCES quiz_sessions (id),
    round INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    answered_at_ms INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    points INTEGER NOT NULL,
    response_ms INTEGER NOT NULL,
    PRIMARY KEY (session_id, round, user_id)
);

CREATE INDEX quiz_answers_by_scope_and_time ON quiz_answers (scope_id, answered_at_ms);

-- Running totals per scope and user: all-time leaderboards and /score.
CREATE TABLE scores (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    points INTEGER NOT NULL DEFAULT 0,
    answered INTEGER NOT NULL DEFAULT 0,
    correct INTEGER NOT NULL DEFAULT 0,
    best_streak INTEGER NOT NULL DEFAULT 0,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope_id, user_id)
);

CREATE INDEX scores_by_points ON scores (scope_id, points DESC);
