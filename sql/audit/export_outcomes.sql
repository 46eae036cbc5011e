-- Every recorded outcome with the letter it answers; notes are never exported,
-- and identifiers are replaced by keyed pseudonyms before anything is written.
WITH
recorded AS (
    SELECT o.invite_ref, l.run_id, l.study, l.practice_code, l.patient_id, o.outcome, o.reason,
        CAST(o.recorded_at AS DATE) AS recorded_on
    FROM outcomes AS o
    INNER JOIN ledger AS l ON l.invite_ref = o.invite_ref
),

final AS (
    SELECT * FROM recorded
)

SELECT * FROM final
ORDER BY recorded_on, invite_ref, outcome
