-- The people of every list the tool writes (the mail-merge list and letters, the
-- research nurse's list, the GP screening list), defined once: each list selects
-- its columns from this view, so a column is changed here for all of them. The
-- NHS number is written the way the NHS prints it (3 3 4 digits, which also keeps
-- spreadsheets from turning it into a number). A temporary view over the
-- connection's `invitations` table (the run's, a release's or a reminder's).
CREATE OR REPLACE TEMP VIEW list_people AS
SELECT
    invite_ref,
    practice_code,
    patient_id,
    CASE
        WHEN length(nhs_number) = 10
            THEN substr(nhs_number, 1, 3) || ' ' || substr(nhs_number, 4, 3) || ' ' || substr(nhs_number, 7, 4)
        ELSE nhs_number
    END AS nhs_number,
    title,
    forename,
    surname,
    date_of_birth,
    address_line_1,
    address_line_2,
    address_line_3,
    address_line_4,
    postcode,
    score,
    capacity_rank
FROM invitations;
