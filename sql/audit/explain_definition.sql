-- The study tree as the run applied it (criteria, labels, numbers, steps), as JSON.
WITH
final AS (
    SELECT study, tree FROM study_definition
)

SELECT * FROM final
