-- Whether this outcome (with this reason) is already recorded for the invitation,
-- so that importing the same file twice records nothing twice.
WITH
same AS (
    SELECT invite_ref
    FROM outcomes
    WHERE invite_ref = $invite_ref
      AND outcome = $outcome
      AND coalesce(reason, '') = coalesce(CAST($reason AS VARCHAR), '')
),

final AS (
    SELECT count(*) > 0 AS found FROM same
)

SELECT found FROM final
