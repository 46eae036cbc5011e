-- The research nurse's list: enough to find the person who rings or sends back
-- a reply slip, and to check it is them (reference, practice, name, full date
-- of birth written as people say it, DD/MM/YYYY, and postcode), and nothing
-- more: no street address, NHS number or clinical detail (from the list_people
-- view, shared by every list).
WITH final AS (
    SELECT
        invite_ref,
        practice_code,
        title,
        forename,
        surname,
        strftime(date_of_birth, '%d/%m/%Y') AS date_of_birth,
        postcode
    FROM list_people
)

SELECT * FROM final
ORDER BY surname, forename, practice_code, invite_ref;
