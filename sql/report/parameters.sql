-- The study's numbers as the run used them (age range, windows, counts).
WITH
final AS (
    SELECT name, value FROM study_parameters
)

SELECT * FROM final
ORDER BY name
