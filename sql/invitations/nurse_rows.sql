-- The research nurse's list: enough to find the person who rings or sends back
-- a reply slip (reference, practice, name, year of birth) and nothing more:
-- no address, NHS number or clinical detail.
WITH final AS (
    SELECT
        invite_ref,
        practice_code,
        title,
        forename,
        surname,
        year(date_of_birth) AS year_of_birth
    FROM invitations
)

SELECT * FROM final
ORDER BY surname, forename, practice_code, invite_ref;
