-- One synthetic practice's patients.csv: names and addresses drawn from the pools in
-- sy_names, NHS numbers from sy_nhs (the 999 test range), and a few records a
-- practice would have to fix: a failing NHS number, a missing address line 1 or
-- postcode, a postcode cut short; postcodes sometimes lower-case or unspaced.
-- About half of the patients share a household (address, mostly surname) with their
-- neighbours in g order. Parameters: $seed, $towns (main town first), $street_from,
-- $locality_from, $nhs_count, $nhs_spaced.
WITH p AS (
    SELECT *, $seed::BIGINT AS s,
        CASE WHEN sy_u($seed::BIGINT, g, 'household') < $household_share THEN g // 3 ELSE -1 - g END AS hh
    FROM people
),
named AS (
    SELECT p.*,
        CASE WHEN sex = 'M' OR (sex IN ('I', 'U') AND sy_u(s, g, 'name_sex') < 0.5)
             THEN n.forenames_m[1 + sy_int(sy_u(s, g, 'forename'), len(n.forenames_m))]
             ELSE n.forenames_f[1 + sy_int(sy_u(s, g, 'forename'), len(n.forenames_f))] END AS forename,
        n.surnames[1 + sy_int(sy_u(s, CASE WHEN sy_u(s, g, 'own_name') < 0.8 THEN hh ELSE g END, 'surname'),
                              len(n.surnames))] AS surname,
        CASE WHEN age < 16 THEN NULL
             WHEN sex = 'M' THEN n.titles_m[1 + sy_int(sy_u(s, g, 'title'), len(n.titles_m))]
             WHEN sex = 'F' THEN n.titles_f[1 + sy_int(sy_u(s, g, 'title'), len(n.titles_f))]
             ELSE 'Mx' END AS title,
        n.streets[1 + ($street_from + sy_int(sy_u(s, hh, 'street'), 150)) % len(n.streets)] AS street,
        n.localities[1 + ($locality_from + sy_int(sy_u(s, hh, 'locality'), 12)) % len(n.localities)] AS locality,
        ($towns)[least(len($towns), CASE WHEN sy_u(s, hh, 'town') < 0.85 THEN 1
                                         WHEN sy_u(s, hh, 'town') < 0.95 THEN 2 ELSE 3 END)] AS town
    FROM p CROSS JOIN sy_names n
),
housed AS (
    SELECT *,
        (1 + floor(sy_exp(sy_u(s, hh, 'house')) * 25))::INTEGER::VARCHAR || ' ' || street AS house,
        sy_u(s, hh, 'flat') < $flat_share AS in_flat,
        town.districts[1 + sy_int(sy_u(s, hh, 'district'), len(town.districts))] || ' '
            || sy_int(sy_u(s, hh, 'sector'), 10)::VARCHAR
            || ('ABDEFGHJLNPQRSTUWXYZ')[1 + sy_int(sy_u(s, hh, 'unit1'), 20)]
            || ('ABDEFGHJLNPQRSTUWXYZ')[1 + sy_int(sy_u(s, hh, 'unit2'), 20)] AS clean_postcode
    FROM named
),
nhs AS (
    SELECT housed.*, CAST(n.nhs AS VARCHAR) AS valid_nhs
    FROM housed JOIN sy_nhs n ON n.idx = housed.g % $nhs_count
),
recorded AS (  -- as the practice has it, mistakes included
    SELECT *,
        CASE WHEN sy_u(s, g, 'nhs_blank') < $nhs_blank THEN NULL
             WHEN sy_u(s, g, 'nhs_bad') < $nhs_bad
                 THEN left(valid_nhs, 9) || ((right(valid_nhs, 1)::INTEGER + 1 + sy_int(sy_u(s, g, 'nhs_typo'), 9)) % 10)::VARCHAR
             ELSE valid_nhs END AS nhs_digits,
        CASE WHEN sy_u(s, g, 'postcode_blank') < $postcode_blank THEN NULL
             WHEN sy_u(s, g, 'postcode_cut') < $postcode_cut THEN split_part(clean_postcode, ' ', 1)
             WHEN sy_u(s, g, 'postcode_style') < 0.03 THEN lower(clean_postcode)
             WHEN sy_u(s, g, 'postcode_style') < 0.06 THEN replace(clean_postcode, ' ', '')
             ELSE clean_postcode END AS postcode,
        CASE WHEN sy_u(s, g, 'line1_blank') < $line1_blank THEN NULL
             WHEN in_flat THEN 'Flat ' || (1 + sy_int(sy_u(s, hh, 'flat_no'), 30))::VARCHAR
             ELSE house END AS address_line_1,
        CASE WHEN in_flat THEN house WHEN sy_u(s, hh, 'has_locality') < 0.2 THEN locality END AS address_line_2,
        town.name AS address_line_3,
        CASE WHEN sy_u(s, hh, 'has_county') < 0.5 THEN town.county END AS address_line_4
    FROM nhs
)
SELECT patient_id,
    CASE WHEN $nhs_spaced AND length(nhs_digits) = 10
         THEN substr(nhs_digits, 1, 3) || ' ' || substr(nhs_digits, 4, 3) || ' ' || substr(nhs_digits, 7, 4)
         ELSE nhs_digits END AS nhs_number,
    title, forename, surname, date_of_birth, sex,
    address_line_1, address_line_2, address_line_3, address_line_4, postcode,
    registration_date, deregistration_date, date_of_death
FROM recorded
ORDER BY local_no
