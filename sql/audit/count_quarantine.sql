-- How many patients passed every rule but were held back because their record
-- cannot be mailed safely, for the run record.
WITH
held AS (
    SELECT practice_code, patient_id FROM quarantine
),

final AS (
    SELECT count(*) AS n FROM held
)

SELECT n FROM final
