-- Each practice in the run with how many patients its extract held: the
-- denominator a practice can check against its own clinical system.
WITH
counts AS (
    SELECT practice_code, count(*) AS patients
    FROM patients
    GROUP BY practice_code
),

final AS (
    SELECT
        p.practice_code,
        p.practice_name,
        p.clinical_system,
        p.extract_date,
        coalesce(c.patients, 0) AS patients
    FROM practices AS p
    LEFT JOIN counts AS c USING (practice_code)
)

SELECT * FROM final
ORDER BY practice_code
