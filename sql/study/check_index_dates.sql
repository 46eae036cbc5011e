-- Practices with patients but no index date in run_practices: every rule needs
-- D, so a practice without one would silently drop out of the study.
WITH
final AS (
    SELECT DISTINCT p.practice_code
    FROM patients AS p
    WHERE NOT EXISTS (SELECT 1 FROM run_practices AS rp WHERE rp.practice_code = p.practice_code)
)

SELECT practice_code FROM final ORDER BY practice_code
