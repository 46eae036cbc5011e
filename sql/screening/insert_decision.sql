-- One GP decision, as imported (the person's ids come from the ledger, not the file).
INSERT INTO screening_decisions (
    study, run_id, screening_ref, practice_code, patient_id, nhs_number,
    decision, reason, reason_text, decided_at, imported_by, source_sha256
)
SELECT
    l.study, l.run_id, l.invite_ref, l.practice_code, l.patient_id, l.nhs_number,
    $decision, $reason, $reason_text, CAST($decided_at AS TIMESTAMP), $imported_by, $source_sha256
FROM ledger AS l
WHERE l.invite_ref = $ref;
