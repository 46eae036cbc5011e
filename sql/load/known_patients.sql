-- Remember the patient ids of one staged patients file, so that its practice's events
-- and medications are checked against them even when the file itself has problems.
INSERT INTO known_patients
SELECT DISTINCT $practice_code, patient_id FROM stage WHERE patient_id IS NOT NULL;
