-- Patients the study held back because their record cannot be mailed safely,
-- by id and reason only, for the practice to correct.
WITH final AS (
    SELECT practice_code, patient_id, reason
    FROM quarantine
)

SELECT * FROM final
ORDER BY practice_code, patient_id, reason;
