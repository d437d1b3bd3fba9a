-- Seasons: an admin starts a new season in a scope; the season leaderboard
-- counts answers from its start, while the all-time totals in `scores` are
-- kept. Season numbers count up from 1 per scope.
CREATE TABLE seasons (
    scope_id INTEGER NOT NULL REFERENCES scopes (id),
    number INTEGER NOT NULL,
    started_at_ms INTEGER NOT NULL,
    started_by INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (scope_id, number)
);
