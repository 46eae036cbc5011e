-- Last guard before the ledger takes a run's invitations: nobody may be invited
-- twice to a study (same practice and patient id, or same NHS number, live in
-- the ledger), no reference may repeat, and every row must be this run's.
WITH new AS (
    SELECT * FROM rundb.invitations
),

live AS (
    SELECT * FROM ledger
    WHERE study = $study AND status IN ('active', 'awaiting_screening')
),

already_invited AS (
    SELECT count(*) AS n
    FROM new
    WHERE EXISTS (
        SELECT 1 FROM live
        WHERE (live.practice_code = new.practice_code AND live.patient_id = new.patient_id)
            OR live.nhs_number = new.nhs_number
    )
),

ref_taken AS (
    SELECT count(*) AS n
    FROM new
    INNER JOIN ledger USING (invite_ref)
),

other_run AS (
    SELECT count(*) AS n
    FROM new
    WHERE run_id IS DISTINCT FROM $run_id OR study IS DISTINCT FROM $study
),

run_exists AS (
    SELECT count(*) AS n
    FROM runs
    WHERE run_id = $run_id
),

final AS (
    SELECT
        (SELECT n FROM already_invited) AS already_invited,
        (SELECT n FROM ref_taken) AS ref_taken,
        (SELECT n FROM other_run) AS other_run,
        (SELECT n FROM run_exists) AS run_exists
)

SELECT * FROM final;
