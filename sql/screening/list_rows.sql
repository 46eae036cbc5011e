-- The GP screening list: everyone the run chose within capacity, per practice in
-- rank order, with what a GP needs to recognise them (name, date of birth, NHS
-- number written as the NHS prints it), score and rank, and the person's row of
-- the population (every criterion's flag, as JSON: the columns depend on the
-- study) for the plain-words evidence summary.
WITH chosen AS (
    SELECT * FROM invitations
),

final AS (
    SELECT
        c.invite_ref AS screening_ref,
        c.practice_code,
        c.patient_id,
        CASE
            WHEN length(c.nhs_number) = 10
                THEN substr(c.nhs_number, 1, 3) || ' ' || substr(c.nhs_number, 4, 3) || ' ' || substr(c.nhs_number, 7, 4)
            ELSE c.nhs_number
        END AS nhs_number,
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
