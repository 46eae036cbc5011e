-- One row per invitation for a word processor's mail merge and the letters:
-- the patient's name and address as recorded and NHS number as printed (the
-- list_people view, shared by every list), the address as one block with no
-- blank lines (for a word processor's address field), the practice letterhead
-- and contact details, and the letter's dates.
WITH invited AS (
    SELECT * FROM list_people
),

practice AS (
    SELECT p.practice_code, p.practice_name, p.practice_address, l.telephone, l.email
    FROM practices AS p
    LEFT JOIN practice_letters AS l USING (practice_code)
),

final AS (
    SELECT
        i.invite_ref,
        i.practice_code,
        i.patient_id,
        i.nhs_number,
        i.title,
        i.forename,
        i.surname,
        i.address_line_1,
        i.address_line_2,
        i.address_line_3,
        i.address_line_4,
        i.postcode,
        concat_ws(
            chr(10),
            nullif(trim(i.address_line_1), ''),
            nullif(trim(i.address_line_2), ''),
            nullif(trim(i.address_line_3), ''),
            nullif(trim(i.address_line_4), ''),
            nullif(trim(i.postcode), '')
        ) AS address,
        concat_ws(' ', i.title, i.forename, i.surname) AS addressee,
        concat_ws(' ', coalesce(i.title, i.forename), i.surname) AS salutation,
        p.practice_name,
        p.practice_address[1] AS practice_address_1,
        p.practice_address[2] AS practice_address_2,
        p.practice_address[3] AS practice_address_3,
        p.practice_address[4] AS practice_address_4,
        nullif(array_to_string(p.practice_address[5:], ', '), '') AS practice_address_5,
        p.telephone AS practice_telephone,
        p.email AS practice_email,
        CAST($letter_date AS VARCHAR) AS letter_date,
        CAST($reply_by AS VARCHAR) AS reply_by
    FROM invited AS i
    INNER JOIN practice AS p USING (practice_code)
)

SELECT * FROM final
ORDER BY practice_code, surname, forename, patient_id;
