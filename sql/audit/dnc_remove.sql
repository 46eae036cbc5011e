-- Take a person off the do-not-contact list: the entry stays, marked removed, with
-- who removed it, when and why. Only entries still in force are touched.
UPDATE do_not_contact
SET removed_at = $removed_at, removed_by = $removed_by, removed_reason = $removed_reason
WHERE removed_at IS NULL
  AND ((practice_code = $practice_code AND patient_id = $patient_id)
       OR (nhs_number IS NOT NULL AND nhs_number = $nhs_number))
