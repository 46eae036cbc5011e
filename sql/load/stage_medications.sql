-- Stage one practice's prescription issues: dates parsed, codes trimmed,
-- coding systems and issue types lower-cased.
CREATE OR REPLACE TEMP TABLE stage AS
SELECT
    cf_text(patient_id) AS patient_id,
    cf_date(issue_date) AS issue_date,
    cf_text(issue_date) IS NOT NULL AND cf_date(issue_date) IS NULL AS bad_issue_date,
    lower(cf_text(coding_system)) AS coding_system,
    cf_text(code) AS code,
    lower(cf_text(issue_type)) AS issue_type,
    try_cast(cf_text(quantity) AS DOUBLE) AS quantity,
    cf_text(quantity) IS NOT NULL AND try_cast(cf_text(quantity) AS DOUBLE) IS NULL AS bad_quantity
FROM src($path, $columns);
