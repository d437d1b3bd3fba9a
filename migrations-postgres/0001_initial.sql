-- Lectern's first schema on PostgreSQL: the same tables, columns and
-- meaning as migrations/0001_initial.sql (SQLite). Forward-only: never edit a
-- landed migration, add a new one, and keep both folders in step (one file
-- per version, the same version numbers). Every integer is BIGINT, as
-- SQLite's INTEGER is 64-bit; 0/1 integers stand for booleans in both.

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    UNIQUE (platform, platform_user_id)
);

CREATE TABLE scopes (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    platform_scope_id TEXT NOT NULL,
    time_zone TEXT,
    UNIQUE (platform, platform_scope_id)
);

CREATE TABLE quiz_sessions (
    id BIGSERIAL PRIMARY KEY,
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    channel_id TEXT NOT NULL,
    started_by BIGINT NOT NULL REFERENCES users (id),
    started_at_ms BIGINT NOT NULL,
    rounds BIGINT NOT NULL,
    ended_at_ms BIGINT,
    end_reason TEXT
);

CREATE INDEX quiz_sessions_unfinished ON quiz_sessions (ended_at_ms);

CREATE TABLE quiz_answers (
    session_id BIGINT NOT NULL REFERENCES quiz_sessions (id),
    round BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    answered_at_ms BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    points BIGINT NOT NULL,
    response_ms BIGINT NOT NULL,
    PRIMARY KEY (session_id, round, user_id)
);

CREATE INDEX quiz_answers_by_scope_and_time ON quiz_answers (scope_id, answered_at_ms);

CREATE TABLE scores (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    points BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    correct BIGINT NOT NULL DEFAULT 0,
    best_streak BIGINT NOT NULL DEFAULT 0,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope_id, user_id)
);

CREATE INDEX scores_by_points ON scores (scope_id, points DESC);
