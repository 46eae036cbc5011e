-- The reminder's own database: the run's practices and index dates, read from the
-- run database attached read-only as `run_db` (remind_invitations.sql adds the people).
CREATE TABLE practices AS SELECT * FROM run_db.practices;
CREATE TABLE run_practices AS SELECT * FROM run_db.run_practices;
