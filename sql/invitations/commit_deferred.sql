-- Patients the run's capacity limit held back, kept in the workspace so they
-- are not forgotten.
INSERT INTO deferred (study, run_id, practice_code, patient_id, nhs_number, reason)
WITH final AS (
    SELECT study, run_id, practice_code, patient_id, nhs_number, reason
    FROM rundb.deferred
)

SELECT * FROM final
ORDER BY practice_code, patient_id;
