-- The run's invitations: the ranked candidates within their practice's
-- capacity, with the contact details a letter needs, each given one of the
-- fresh invite references (bound as the list $refs, one per chosen patient).
CREATE OR REPLACE TABLE invitations AS
WITH chosen AS (
    SELECT *, row_number() OVER (ORDER BY practice_code, capacity_rank) AS seq
    FROM invitation_candidates
    WHERE selected
),

final AS (
    SELECT
        list_extract(CAST($refs AS VARCHAR []), CAST(c.seq AS INTEGER)) AS invite_ref,
        CAST($run_id AS VARCHAR) AS run_id,
        CAST($study AS VARCHAR) AS study,
        c.practice_code,
        c.patient_id,
        p.nhs_number,
        p.title,
        p.forename,
        p.surname,
        p.address_line_1,
        p.address_line_2,
        p.address_line_3,
        p.address_line_4,
        p.postcode,
        p.date_of_birth,
        c.c1,
        c.c2,
        c.c3,
        c.routes_held,
        c.strongest_route,
        c.score,
        c.out_of_work_evidence,
        c.tie_break,
        c.capacity_rank,
        c.practice_candidates,
        c.capacity
    FROM chosen AS c
    INNER JOIN patients AS p USING (practice_code, patient_id)
)

SELECT * FROM final
ORDER BY practice_code, capacity_rank;
