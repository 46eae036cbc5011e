-- The workspace's do-not-contact list as it stood when the run started.
CREATE OR REPLACE TABLE do_not_contact AS
SELECT practice_code, patient_id, nhs_number, reason
FROM ws.do_not_contact
WHERE removed_at IS NULL
ORDER BY practice_code, patient_id, nhs_number;
