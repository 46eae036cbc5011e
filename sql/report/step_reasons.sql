-- Why each step of the study removes patients, in the words of the study's own
-- criteria (study_steps, study_criteria): an excluding step removes those its
-- criterion holds for; a required "not X" step those X holds for; any other
-- required step those its criterion does not hold for. Built-in steps: NULL.
WITH
final AS (
    SELECT
        s.stop,
        CASE
            WHEN s.exclude THEN c.label
            WHEN c.kind = 'not' THEN inner_c.label
            ELSE 'Not: ' || c.label
        END AS reason
    FROM study_steps AS s
    LEFT JOIN study_criteria AS c ON c.name = s.criterion
    LEFT JOIN study_criteria AS inner_c ON inner_c.name = json_extract_string(c.definition, '$.of')
    WHERE s.criterion IS NOT NULL
)

SELECT stop, reason FROM final
ORDER BY stop
