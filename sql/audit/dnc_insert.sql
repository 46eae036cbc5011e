-- Put a person on the workspace's do-not-contact list: every later run of every
-- study copies the list in and never writes to them (matched by practice and
-- patient id, or by NHS number).
INSERT INTO do_not_contact (practice_code, patient_id, nhs_number, reason, source, added_at, added_by)
VALUES ($practice_code, $patient_id, $nhs_number, $reason, $source, $added_at, $added_by)
