-- The do-not-contact list for the practice: who, why, since when and by whom;
-- removed entries too when asked (with who removed them and why).
WITH
entries AS (
    SELECT
        practice_code, patient_id, nhs_number, reason, source, added_at, added_by,
        removed_at, removed_by, removed_reason
    FROM do_not_contact
    WHERE $include_removed OR removed_at IS NULL
),

final AS (
    SELECT * FROM entries
)

SELECT * FROM final
ORDER BY added_at, practice_code, patient_id, nhs_number
