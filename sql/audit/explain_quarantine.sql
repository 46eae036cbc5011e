-- Why one patient was held back for data quality (passed every rule, but their
-- record cannot be mailed safely), as the run's quarantine list says.
WITH
held AS (
    SELECT practice_code, patient_id, reason
    FROM quarantine
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT * FROM held
)

SELECT * FROM final
