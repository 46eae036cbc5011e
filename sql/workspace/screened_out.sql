-- The people a GP excluded at screening for this study (any earlier run), as the
-- decisions stood when the run started: the "screened out" rule stops them, so
-- a GP is not asked about them again. Not the do-not-contact list.
CREATE OR REPLACE TABLE screened_out AS
SELECT practice_code, patient_id, nhs_number, study, run_id, reason
FROM ws.screening_decisions
WHERE study = $study AND decision = 'exclude'
ORDER BY practice_code, patient_id, run_id;
