-- What happened after each of a person's invitations, oldest first, for an explanation.
WITH
recorded AS (
    SELECT invite_ref, outcome, reason, recorded_at, recorded_by, note
    FROM outcomes
    WHERE list_contains(CAST($refs AS VARCHAR[]), invite_ref)
),

final AS (
    SELECT * FROM recorded
)

SELECT * FROM final
ORDER BY recorded_at, invite_ref, outcome
