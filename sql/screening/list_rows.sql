-- The GP screening list: everyone the run chose within capacity, per practice in
-- rank order, with what a GP needs to recognise them (name, date of birth, NHS
-- number as printed: the list_people view, shared by every list), score and
-- rank, and the person's row of
-- the population (every criterion's flag, as JSON: the columns depend on the
-- study) for the plain-words evidence summary.
WITH chosen AS (
    SELECT * FROM list_people
),

final AS (
    SELECT
        c.invite_ref AS screening_ref,
        c.practice_code,
        c.patient_id,
        c.nhs_number,
        c.title,
        c.forename,
        c.surname,
        c.date_of_birth,
        c.score,
        c.capacity_rank AS rank,
        to_json(p) AS facts
    FROM chosen AS c
    INNER JOIN population AS p USING (practice_code, patient_id)
)

SELECT * FROM final
ORDER BY practice_code, rank;
