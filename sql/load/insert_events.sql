-- Move the checked, staged events into the run's events table.
INSERT INTO events
SELECT $practice_code, patient_id, event_date, coding_system, code, value FROM stage;
