-- Normalising helpers used while loading practice extracts (docs/extract-format.md).
-- Loaded once per connection before any extract is read.

-- A cell as text: trimmed, with blank meaning missing.
CREATE OR REPLACE TEMP MACRO cf_text(v) AS nullif(trim(CAST(v AS VARCHAR)), '');

-- A date written ISO (YYYY-MM-DD) or UK (DD/MM/YYYY), always with a four-digit year
-- (strptime alone would read 05/03/20 as the year 20); never US order.
-- Parquet DATE and TIMESTAMP columns arrive here already as ISO text.
CREATE OR REPLACE TEMP MACRO cf_date(v) AS CAST(CASE
    WHEN cf_text(v) LIKE '____-%' THEN coalesce(
        try_strptime(cf_text(v), '%Y-%m-%d'),
        try_strptime(cf_text(v), '%Y-%m-%d %H:%M:%S'))
    WHEN cf_text(v) LIKE '%/____' THEN try_strptime(cf_text(v), '%d/%m/%Y')
END AS DATE);

-- An NHS number with its spaces removed.
CREATE OR REPLACE TEMP MACRO cf_nhs(v) AS nullif(regexp_replace(coalesce(CAST(v AS VARCHAR), ''), '\s', '', 'g'), '');

-- Modulus 11 check of a 10-digit NHS number: weights 10..2 on the first nine
-- digits; 11 minus the remainder is the check digit (11 counts as 0, 10 is never valid).
CREATE OR REPLACE TEMP MACRO cf_nhs_valid(n) AS CASE
    WHEN n IS NULL OR NOT regexp_full_match(n, '[0-9]{10}') THEN false
    ELSE (11 - ((
          try_cast(substr(n, 1, 1) AS INTEGER) * 10 + try_cast(substr(n, 2, 1) AS INTEGER) * 9
        + try_cast(substr(n, 3, 1) AS INTEGER) * 8 + try_cast(substr(n, 4, 1) AS INTEGER) * 7
        + try_cast(substr(n, 5, 1) AS INTEGER) * 6 + try_cast(substr(n, 6, 1) AS INTEGER) * 5
        + try_cast(substr(n, 7, 1) AS INTEGER) * 4 + try_cast(substr(n, 8, 1) AS INTEGER) * 3
        + try_cast(substr(n, 9, 1) AS INTEGER) * 2) % 11)) % 11
        = try_cast(substr(n, 10, 1) AS INTEGER)
END;

-- A UK postcode in any spacing or case, as 'SO16 6YD'.
CREATE OR REPLACE TEMP MACRO cf_postcode_compact(v) AS nullif(upper(regexp_replace(coalesce(CAST(v AS VARCHAR), ''), '\s', '', 'g')), '');
CREATE OR REPLACE TEMP MACRO cf_postcode(v) AS CASE
    WHEN cf_postcode_compact(v) IS NULL THEN NULL
    WHEN length(cf_postcode_compact(v)) < 5 THEN cf_postcode_compact(v)
    ELSE left(cf_postcode_compact(v), length(cf_postcode_compact(v)) - 3) || ' ' || right(cf_postcode_compact(v), 3)
END;
CREATE OR REPLACE TEMP MACRO cf_postcode_valid(p) AS coalesce(
    regexp_full_match(p, '[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}') OR p = 'GIR 0AA', false);

-- A clinical code as recorded: case kept, spaces trimmed; the 7-character Read v2
-- form (code plus 2-character term id) reduced to its 5-character code.
CREATE OR REPLACE TEMP MACRO cf_code(system, v) AS CASE
    WHEN system = 'readv2' AND length(cf_text(v)) = 7 THEN left(cf_text(v), 5)
    ELSE cf_text(v)
END;

-- Does any of up to seven raw cells hold a NUL byte (a damaged export)?
CREATE OR REPLACE TEMP MACRO cf_nul(a, b, c, d, e, f, g) AS coalesce(
    contains(a, chr(0)) OR contains(b, chr(0)) OR contains(c, chr(0)) OR contains(d, chr(0))
    OR contains(e, chr(0)) OR contains(f, chr(0)) OR contains(g, chr(0)), false);
