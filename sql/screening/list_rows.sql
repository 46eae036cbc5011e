-- The GP screening list: everyone the run chose within capacity, per practice in
-- rank order, with what a GP needs to recognise them (name, date of birth, NHS
-- number written as the NHS prints it) and the facts behind the plain-words
-- evidence summary (routes held, latest work status), score and rank.
WITH chosen AS (
    SELECT * FROM invitations
),

facts AS (
    SELECT practice_code, patient_id, employment_category, employment_date
    FROM population
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
        c.c1,
        c.c2,
        c.c3,
        c.out_of_work_evidence,
        f.employment_category,
        f.employment_date,
        c.score,
        c.capacity_rank AS rank
    FROM chosen AS c
    LEFT JOIN facts AS f USING (practice_code, patient_id)
)

SELECT * FROM final
ORDER BY practice_code, rank;
