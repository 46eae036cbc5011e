-- The people of screening runs still waiting for a GP's decision, by reference:
-- the rows an imported decisions file may name (ids only).
SELECT l.invite_ref, l.run_id, l.study, l.practice_code, l.patient_id, l.nhs_number
FROM ledger AS l
INNER JOIN runs AS r USING (run_id)
WHERE l.status = 'awaiting_screening' AND r.screening = 'awaiting' AND r.status <> 'rolled_back'
ORDER BY l.run_id, l.practice_code, l.invite_ref;
