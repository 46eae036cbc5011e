-- Release: the people a GP included become live invitations (their letters are
-- written now); the people a GP excluded are marked screened_out (never sent,
-- and not listed for this study again: the screened_out rule reads the decisions).
UPDATE ledger AS l
SET status = CASE d.decision WHEN 'include' THEN 'active' ELSE 'screened_out' END
FROM screening_decisions AS d
WHERE l.run_id = $run_id AND l.status = 'awaiting_screening'
    AND d.run_id = l.run_id AND d.screening_ref = l.invite_ref;
