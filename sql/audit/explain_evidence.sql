-- The evidence the run stored for one patient (table evidence): the records behind
-- each criterion, the ledger, do-not-contact and screening matches, the decision.
WITH
stored AS (
    SELECT *
    FROM evidence
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT * FROM stored
)

SELECT * FROM final
ORDER BY rule, record_date, coding_system, code, role, detail
