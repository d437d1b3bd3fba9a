-- scopes.time_zone was never read or written: a scope's zone is the pack's
-- (and each daily subscription keeps its own). Dropped rather than left to
-- look meaningful.
ALTER TABLE scopes DROP COLUMN time_zone;
