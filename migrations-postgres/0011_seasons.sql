-- Seasons (as migrations/0011_seasons.sql): numbered from 1 per scope; the
-- primary key keeps two processes from starting the same number.
CREATE TABLE seasons (
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    number BIGINT NOT NULL,
    started_at_ms BIGINT NOT NULL,
    started_by BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (scope_id, number)
);
