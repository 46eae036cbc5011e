-- The study's attrition: patients remaining after each rule, for the whole run
-- ('ALL') and each practice, in the study's order. Counts only.
WITH
final AS (
    SELECT * FROM attrition
)

SELECT * FROM final
ORDER BY practice_code = 'ALL' DESC, practice_code, step_no
