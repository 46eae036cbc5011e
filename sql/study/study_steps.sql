-- The study's steps in order (from study_definition): the stop name recorded in
-- population.stopped_by, the criterion a step requires or excludes (NULL for the
-- built-in final steps) and its label. Validation and the report read it.
CREATE OR REPLACE TABLE study_steps AS
WITH
steps AS (
    SELECT unnest(CAST(json_extract(tree, '$.steps') AS JSON[])) AS s
    FROM study_definition
),

final AS (
    SELECT
        CAST(s ->> 'position' AS INTEGER) AS position,
        s ->> 'stop' AS stop,
        s ->> 'criterion' AS criterion,
        CAST(s ->> 'exclude' AS BOOLEAN) AS exclude,
        s ->> 'label' AS label
    FROM steps
)

SELECT * FROM final
ORDER BY position
