-- Stage one practice's events: codes trimmed (case kept), 7-character Read v2
-- codes reduced to 5, coding systems lower-cased, dates parsed.
CREATE OR REPLACE TEMP TABLE stage AS
SELECT
    cf_text(patient_id) AS patient_id,
    cf_date(event_date) AS event_date,
    cf_text(event_date) IS NOT NULL AND cf_date(event_date) IS NULL AS bad_event_date,
    lower(cf_text(coding_system)) AS coding_system,
    cf_code(lower(cf_text(coding_system)), code) AS code,
    try_cast(cf_text(value) AS DOUBLE) AS value,
    cf_text(value) IS NOT NULL AND try_cast(cf_text(value) AS DOUBLE) IS NULL AS bad_value
FROM src($path, $columns);
