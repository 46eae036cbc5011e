-- The study's numbers as the run used them (windows, counts, ages), so the
-- explanation quotes the rule the run applied, not today's study file.
WITH
params AS (
    SELECT name, value FROM study_parameters
),

final AS (
    SELECT * FROM params
)

SELECT * FROM final
ORDER BY name
