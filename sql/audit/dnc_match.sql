-- Do-not-contact entries still in force for one person: by practice and patient
-- id, or by NHS number at any practice (the same matching the study's rule uses).
WITH
active AS (
    SELECT rowid AS entry_id, practice_code, patient_id, nhs_number, reason, source, added_at, added_by
    FROM do_not_contact
    WHERE removed_at IS NULL
),

matches AS (
    SELECT *
    FROM active
    WHERE (practice_code = $practice_code AND patient_id = $patient_id)
       OR (nhs_number IS NOT NULL AND nhs_number = $nhs_number)
),

final AS (
    SELECT * FROM matches
)

SELECT * FROM final
ORDER BY added_at, entry_id
