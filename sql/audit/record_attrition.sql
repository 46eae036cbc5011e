-- How many patients remained after each rule, per practice and in all, for the
-- run record (counts only; no patient is named).
WITH
steps AS (
    SELECT *
    FROM attrition
),

final AS (
    SELECT * FROM steps
)

SELECT * FROM final
ORDER BY practice_code = 'ALL' DESC, practice_code, row_no
