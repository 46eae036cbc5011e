-- Who gets a reminder from run $run_id: its letters still live in the ledger,
-- except anyone with an outcome recorded other than 'no_reply' (they replied,
-- declined, complained, were ineligible, undeliverable or have died), anyone
-- on the do-not-contact list (by practice and patient id, or NHS number), and
-- anyone already sent a reminder for this run.
WITH
sent AS (
    SELECT invite_ref, practice_code, patient_id, nhs_number
    FROM ledger
    WHERE run_id = $run_id AND status = 'active'
),

answered AS (
    SELECT DISTINCT invite_ref FROM outcomes WHERE outcome <> 'no_reply'
),

stopped AS (
    SELECT s.invite_ref
    FROM sent AS s
    INNER JOIN do_not_contact AS d
        ON d.removed_at IS NULL
        AND ((d.practice_code = s.practice_code AND d.patient_id = s.patient_id)
            OR (d.nhs_number IS NOT NULL AND d.nhs_number = s.nhs_number))
),

reminded AS (
    SELECT l.invite_ref
    FROM reminder_letters AS l
    INNER JOIN reminders AS r USING (reminder_id)
    WHERE r.run_id = $run_id
),

final AS (
    SELECT invite_ref FROM sent
    EXCEPT SELECT invite_ref FROM answered
    EXCEPT SELECT invite_ref FROM stopped
    EXCEPT SELECT invite_ref FROM reminded
)

SELECT invite_ref FROM final
ORDER BY invite_ref;
