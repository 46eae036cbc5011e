-- Each practice's letter settings from its manifest (docs/extract-format.md):
-- the telephone number and email printed on its letters, and which letter it
-- sends (english, or welsh-english: a Welsh letter with the English one).
-- Bound as parallel lists, one entry per practice.
CREATE OR REPLACE TABLE practice_letters AS
WITH given AS (
    SELECT
        unnest(CAST($codes AS VARCHAR [])) AS practice_code,
        unnest(CAST($telephones AS VARCHAR [])) AS telephone,
        unnest(CAST($emails AS VARCHAR [])) AS email,
        unnest(CAST($languages AS VARCHAR [])) AS letter_language
),

final AS (
    SELECT practice_code, telephone, email, coalesce(letter_language, 'english') AS letter_language
    FROM given
)

SELECT * FROM final
ORDER BY practice_code;
