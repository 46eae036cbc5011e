-- Move the checked, staged prescription issues into the run's medications table.
INSERT INTO medications
SELECT $practice_code, patient_id, issue_date, coding_system, code, issue_type, quantity FROM stage;
