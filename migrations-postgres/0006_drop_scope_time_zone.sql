-- scopes.time_zone was never read or written (as migrations/0006_drop_scope_time_zone.sql).
ALTER TABLE scopes DROP COLUMN time_zone;
