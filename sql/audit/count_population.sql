-- How many patients the run judged (every patient in the extracts), for the run record.
WITH
judged AS (
    SELECT practice_code, patient_id FROM population
),

final AS (
    SELECT count(*) AS n FROM judged
)

SELECT n FROM final
