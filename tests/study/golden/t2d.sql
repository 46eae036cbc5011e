-- Study t2d: Type 2 diabetes not controlled on metformin
-- Bound parameters:
--   $aged_40_to_80_max = 80
--   $aged_40_to_80_min = 40
--   $attrition_label_1 = 'Patients in the extracts'
--   $attrition_label_10 = 'Latest eGFR is 30 or more'
--   $attrition_label_11 = 'No dementia'
--   $attrition_label_12 = 'No palliative care'
--   $attrition_label_13 = 'No research opt-out'
--   $attrition_label_14 = 'Not already invited'
--   $attrition_label_15 = 'Not on the do-not-contact list'
--   $attrition_label_16 = 'Not screened out by a GP before'
--   $attrition_label_17 = 'Not held back for data quality'
--   $attrition_label_18 = 'Invited'
--   $attrition_label_2 = 'Registered on the index date'
--   $attrition_label_3 = 'Alive on the index date'
--   $attrition_label_4 = 'Aged 40 to 80'
--   $attrition_label_5 = 'Sex recorded as female or male'
--   $attrition_label_6 = 'Type 2 diabetes recorded'
--   $attrition_label_7 = 'Latest HbA1c in the last 12 months is 58 mmol/mol or more'
--   $attrition_label_8 = 'Metformin issued in the last 6 months'
--   $attrition_label_9 = 'Not on insulin'
--   $attrition_step_1 = 'extract'
--   $attrition_step_10 = 'egfr_below_30'
--   $attrition_step_11 = 'dementia'
--   $attrition_step_12 = 'palliative'
--   $attrition_step_13 = 'opt_out'
--   $attrition_step_14 = 'already_invited'
--   $attrition_step_15 = 'do_not_contact'
--   $attrition_step_16 = 'screened_out'
--   $attrition_step_17 = 'data_quality'
--   $attrition_step_18 = 'invited'
--   $attrition_step_2 = 'not_registered'
--   $attrition_step_3 = 'not_alive'
--   $attrition_step_4 = 'age'
--   $attrition_step_5 = 'sex_not_recorded'
--   $attrition_step_6 = 'no_type2_diabetes'
--   $attrition_step_7 = 'hba1c_below_58'
--   $attrition_step_8 = 'no_metformin'
--   $attrition_step_9 = 'on_insulin'
--   $attrition_stops = ['not_registered', 'not_alive', 'age', 'sex_not_recorded', 'no_type2_diabetes', 'hba1c_below_58', 'no_metformin', 'on_insulin', 'egfr_below_30', 'dementia', 'palliative', 'opt_out', 'already_invited', 'do_not_contact', 'screened_out', 'data_quality']
--   $codelist_dementia = 'dementia'
--   $codelist_egfr = 'egfr'
--   $codelist_hba1c = 'hba1c'
--   $codelist_insulin = 'insulin'
--   $codelist_metformin = 'metformin'
--   $codelist_palliative_care = 'palliative_care'
--   $codelist_research_opt_out = 'research_opt_out'
--   $codelist_research_opt_out_withdrawn = 'research_opt_out_withdrawn'
--   $codelist_type2_diabetes = 'type2_diabetes'
--   $dementia_codelist = 'dementia'
--   $dementia_min_count = 1
--   $dementia_min_span_days = 0
--   $dementia_rule = 'dementia'
--   $egfr_ok_codelist = 'egfr'
--   $egfr_ok_rule = 'egfr_ok'
--   $egfr_ok_threshold = 30
--   $evidence_rule_order = ['decision', 'registered', 'alive', 'aged_40_to_80', 'sex_recorded', 'type2', 'hba1c_high', 'on_metformin', 'on_insulin', 'egfr_ok', 'dementia', 'palliative', 'opt_out', 'already_invited', 'do_not_contact', 'screened_out']
--   $hba1c_high_codelist = 'hba1c'
--   $hba1c_high_rule = 'hba1c_high'
--   $hba1c_high_threshold = 58
--   $hba1c_high_within_days = 365
--   $lookback_hba1c = 365
--   $lookback_insulin = 365
--   $lookback_metformin = 183
--   $on_insulin_codelist = 'insulin'
--   $on_insulin_min_count = 1
--   $on_insulin_min_span_days = 0
--   $on_insulin_rule = 'on_insulin'
--   $on_insulin_source = 'issue'
--   $on_insulin_within_days = 365
--   $on_metformin_codelist = 'metformin'
--   $on_metformin_min_count = 1
--   $on_metformin_min_span_days = 0
--   $on_metformin_rule = 'on_metformin'
--   $on_metformin_source = 'issue'
--   $on_metformin_within_days = 183
--   $opt_out_codelist = 'research_opt_out'
--   $opt_out_min_count = 1
--   $opt_out_min_span_days = 0
--   $opt_out_rule = 'opt_out'
--   $opt_out_unless_codelist = 'research_opt_out_withdrawn'
--   $opt_out_unless_same_day = false
--   $palliative_codelist = 'palliative_care'
--   $palliative_min_count = 1
--   $palliative_min_span_days = 0
--   $palliative_rule = 'palliative'
--   $role_dementia = 'dementia'
--   $role_egfr = 'egfr'
--   $role_hba1c = 'hba1c'
--   $role_insulin = 'insulin'
--   $role_metformin = 'metformin'
--   $role_palliative_care = 'palliative_care'
--   $role_research_opt_out = 'research_opt_out'
--   $role_research_opt_out_withdrawn = 'research_opt_out_withdrawn'
--   $role_type2_diabetes = 'type2_diabetes'
--   $sex_recorded_values = ['F', 'M']
--   $stop_1 = 'not_registered'
--   $stop_10 = 'dementia'
--   $stop_11 = 'palliative'
--   $stop_12 = 'opt_out'
--   $stop_2 = 'not_alive'
--   $stop_3 = 'age'
--   $stop_4 = 'sex_not_recorded'
--   $stop_5 = 'no_type2_diabetes'
--   $stop_6 = 'hba1c_below_58'
--   $stop_7 = 'no_metformin'
--   $stop_8 = 'on_insulin'
--   $stop_9 = 'egfr_below_30'
--   $study_name = 't2d'
--   $study_tree = '{"codelists": [{"alias": "type2_diabetes", "name": "type2_diabetes", "version": "1"}, {"alias": "hba1c", "name": "hba1c", "version": "1"}, {"alias": "egfr", "name": "egfr", "version": "1"}, {"alias": "metformin", "name": "metformin", "version": "1"}, {"alias": "insulin", "name": "insulin", "version": "1"}, {"alias": "research_opt_out", "name": "research_opt_out", "version": "1"}, {"alias": "research_opt_out_withdrawn", "name": "research_opt_out_withdrawn", "version": "1"}, {"alias": "palliative_care", "name": "palliative_care", "version": "1"}, {"alias": "dementia", "name": "dementia", "version": "1"}], "criteria": [{"definition": {}, "kind": "registered", "label": "Registered on the index date", "members": [], "name": "registered"}, {"definition": {}, "kind": "alive", "label": "Alive on the index date", "members": [], "name": "alive"}, {"definition": {"max": 80, "min": 40}, "kind": "age", "label": "Aged 40 to 80", "members": [], "name": "aged_40_to_80"}, {"definition": {"values": ["F", "M"]}, "kind": "sex", "label": "Sex recorded as female or male", "members": [], "name": "sex_recorded"}, {"definition": {"category_in": [], "codelist": "type2_diabetes", "distinct_dates": false, "min_count": 1, "min_span_days": 0, "source": null, "unless": null, "within_days": null}, "kind": "records", "label": "Type 2 diabetes recorded", "members": [], "name": "type2"}, {"definition": {"codelist": "hba1c", "operator": ">=", "threshold": 58, "which": "latest", "within_days": 365}, "kind": "value", "label": "Latest HbA1c in the last 12 months is 58 mmol/mol or more", "members": [], "name": "hba1c_high"}, {"definition": {"category_in": [], "codelist": "metformin", "distinct_dates": false, "min_count": 1, "min_span_days": 0, "source": "medications", "unless": null, "within_days": 183}, "kind": "records", "label": "Metformin issued in the last 6 months", "members": [], "name": "on_metformin"}, {"definition": {"category_in": [], "codelist": "insulin", "distinct_dates": false, "min_count": 1, "min_span_days": 0, "source": "medications", "unless": null, "within_days": 365}, "kind": "records", "label": "Insulin issued in the last 12 months", "members": [], "name": "on_insulin"}, {"definition": {"codelist": "egfr", "operator": ">=", "threshold": 30, "which": "latest", "within_days": null}, "kind": "value", "label": "Latest eGFR is 30 or more", "members": [], "name": "egfr_ok"}, {"definition": {"category_in": [], "codelist": "dementia", "distinct_dates": false, "min_count": 1, "min_span_days": 0, "source": null, "unless": null, "within_days": null}, "kind": "records", "label": "Dementia recorded", "members": [], "name": "dementia"}, {"definition": {"category_in": [], "codelist": "palliative_care", "distinct_dates": false, "min_count": 1, "min_span_days": 0, "source": null, "unless": null, "within_days": null}, "kind": "records", "label": "Palliative care recorded", "members": [], "name": "palliative"}, {"definition": {"category_in": [], "codelist": "research_opt_out", "distinct_dates": false, "min_count": 1, "min_span_days": 0, "source": null, "unless": {"category_in": [], "codelist": "research_opt_out_withdrawn", "same_day": false}, "within_days": null}, "kind": "records", "label": "Research opt-out recorded", "members": [], "name": "opt_out"}], "name": "t2d", "out_of_work_evidence": null, "score": {}, "steps": [{"criterion": "registered", "exclude": false, "label": "Registered on the index date", "position": 1, "stop": "not_registered"}, {"criterion": "alive", "exclude": false, "label": "Alive on the index date", "position": 2, "stop": "not_alive"}, {"criterion": "aged_40_to_80", "exclude": false, "label": "Aged 40 to 80", "position": 3, "stop": "age"}, {"criterion": "sex_recorded", "exclude": false, "label": "Sex recorded as female or male", "position": 4, "stop": "sex_not_recorded"}, {"criterion": "type2", "exclude": false, "label": "Type 2 diabetes recorded", "position": 5, "stop": "no_type2_diabetes"}, {"criterion": "hba1c_high", "exclude": false, "label": "Latest HbA1c in the last 12 months is 58 mmol/mol or more", "position": 6, "stop": "hba1c_below_58"}, {"criterion": "on_metformin", "exclude": false, "label": "Metformin issued in the last 6 months", "position": 7, "stop": "no_metformin"}, {"criterion": "on_insulin", "exclude": true, "label": "Not on insulin", "position": 8, "stop": "on_insulin"}, {"criterion": "egfr_ok", "exclude": false, "label": "Latest eGFR is 30 or more", "position": 9, "stop": "egfr_below_30"}, {"criterion": "dementia", "exclude": true, "label": "No dementia", "position": 10, "stop": "dementia"}, {"criterion": "palliative", "exclude": true, "label": "No palliative care", "position": 11, "stop": "palliative"}, {"criterion": "opt_out", "exclude": true, "label": "No research opt-out", "position": 12, "stop": "opt_out"}, {"criterion": null, "exclude": false, "label": "Not already invited", "position": 13, "stop": "already_invited"}, {"criterion": null, "exclude": false, "label": "Not on the do-not-contact list", "position": 14, "stop": "do_not_contact"}, {"criterion": null, "exclude": false, "label": "Not screened out by a GP before", "position": 15, "stop": "screened_out"}, {"criterion": null, "exclude": false, "label": "Not held back for data quality", "position": 16, "stop": "data_quality"}], "title": "Type 2 diabetes not controlled on metformin"}'
--   $type2_codelist = 'type2_diabetes'
--   $type2_min_count = 1
--   $type2_min_span_days = 0
--   $type2_rule = 'type2'
--   $version_dementia = '1'
--   $version_egfr = '1'
--   $version_hba1c = '1'
--   $version_insulin = '1'
--   $version_metformin = '1'
--   $version_palliative_care = '1'
--   $version_research_opt_out = '1'
--   $version_research_opt_out_withdrawn = '1'
--   $version_type2_diabetes = '1'

-- generated: roles
-- The study's codelists by the alias its criteria use, mapped to the codelist name
-- and version the study file pins (studies/*.yaml, `codelists:`). Every rule finds
-- its codes through this table, never by a codelist name in SQL text.
-- lookback_days: the oldest record (days before D) any rule or its evidence reads
-- from that codelist (the widest window; NULL: every record, e.g. for a latest-record
-- rule or the codelist of an unless); study_records keeps no older one.
CREATE OR REPLACE TEMP TABLE study_roles AS
WITH
pins AS (
    SELECT * FROM (VALUES
        ($role_type2_diabetes, $codelist_type2_diabetes, $version_type2_diabetes, NULL),
        ($role_hba1c, $codelist_hba1c, $version_hba1c, $lookback_hba1c),
        ($role_egfr, $codelist_egfr, $version_egfr, NULL),
        ($role_metformin, $codelist_metformin, $version_metformin, $lookback_metformin),
        ($role_insulin, $codelist_insulin, $version_insulin, $lookback_insulin),
        ($role_research_opt_out, $codelist_research_opt_out, $version_research_opt_out, NULL),
        ($role_research_opt_out_withdrawn, $codelist_research_opt_out_withdrawn, $version_research_opt_out_withdrawn, NULL),
        ($role_palliative_care, $codelist_palliative_care, $version_palliative_care, NULL),
        ($role_dementia, $codelist_dementia, $version_dementia, NULL)
    ) AS p (role, codelist, version, lookback_days)
),

final AS (
    SELECT CAST(role AS VARCHAR) AS role, CAST(codelist AS VARCHAR) AS codelist,
        CAST(version AS VARCHAR) AS version, CAST(lookback_days AS INTEGER) AS lookback_days
    FROM pins
)

SELECT * FROM final ORDER BY role;

-- sql/study/codes.sql
-- Every concrete code (descendants already expanded) of each role's codelist, with
-- the codelist name, version, term and category, numbered in a fixed order
-- (code_id), and how far back the study reads it (lookback_days, study_roles). study_records carries only the code_id; the evidence looks the
-- rest up here, for the few patients it is kept for.
CREATE OR REPLACE TEMP TABLE study_codes AS
WITH
final AS (
    SELECT
        row_number() OVER (
            ORDER BY r.role, c.coding_system, c.code, c.category, c.term, c.codelist, c.version
        ) AS code_id,
        r.role,
        c.codelist,
        c.version,
        c.coding_system,
        c.code,
        c.term,
        c.category,
        r.lookback_days
    FROM study_roles AS r
    INNER JOIN codelist_codes AS c ON c.codelist = r.codelist AND c.version = r.version
)

SELECT * FROM final;

-- sql/study/records.sql
-- The coded records every rule looks at: each clinical event and prescription
-- issue whose code is in one of the study's codelists, tagged with the role that
-- codelist plays (its alias in the study file), dated on or before its practice's index date D. Records dated
-- after D (planned reviews, mistyped years) are left out here, so no rule sees them,
-- and so are records older than any rule of the study (or its evidence) reads from
-- that codelist (study_roles.lookback_days: a 365-day rule needs no record of 2019).
-- Codes match exactly: same coding system, same case (Read v2 'a' is not 'A').
-- The code join comes first (it keeps a few percent of the rows), inside each
-- source, so the practice join and the table only see the study's records; the
-- codelist name, version and term are not copied onto every record: the evidence
-- looks them up in study_codes (codes.sql) by code_id.
CREATE OR REPLACE TEMP TABLE study_records AS
WITH
coded AS (
    -- Clinical events and prescription issues in the study's codelists, side by side.
    SELECT e.practice_code, e.patient_id, e.event_date AS record_date, 'event' AS source, e.value,
        rc.code_id, rc.role, rc.category, rc.lookback_days
    FROM events AS e
    INNER JOIN study_codes AS rc ON rc.coding_system = e.coding_system AND rc.code = e.code
    UNION ALL
    SELECT m.practice_code, m.patient_id, m.issue_date AS record_date, 'issue' AS source,
        NULL::DOUBLE AS value, rc.code_id, rc.role, rc.category, rc.lookback_days
    FROM medications AS m
    INNER JOIN study_codes AS rc ON rc.coding_system = m.coding_system AND rc.code = m.code
),

final AS (
    SELECT
        rec.practice_code,
        rec.patient_id,
        rec.role,
        rec.record_date,
        date_diff('day', rec.record_date, rp.index_date) AS days_before,
        rec.source,
        rec.category,
        rec.value,
        rec.code_id
    FROM coded AS rec
    INNER JOIN run_practices AS rp ON rp.practice_code = rec.practice_code
    WHERE rec.record_date <= rp.index_date
        AND (rec.lookback_days IS NULL OR date_diff('day', rec.record_date, rp.index_date) <= rec.lookback_days)
)

SELECT * FROM final;

-- generated: population
-- Who is invited: every patient in the extracts, judged at their practice's index
-- date D by each criterion of the study (one flag column per criterion, named
-- after it), then the first step that stopped them (stopped_by) and their score.
-- Flags are worked out for every patient, so a complaint can be answered for any
-- of them. Reads study_records (records.sql).
CREATE OR REPLACE TABLE population AS
WITH
base AS (
    -- Each patient with their practice's index date D, their age on D in completed
    -- years (the birthday counts once D reaches its month and day; born 29 February:
    -- in a year without one, D = 28 February is before the birthday and D = 1 March
    -- on or after it, so the birthday is 1 March), and whether they are registered
    -- and alive on D (the data-quality hold needs that whatever the study asks).
    -- Only the columns a rule or the hold reads (not names or address lines 2-4).
    SELECT
        p.practice_code, p.patient_id, p.nhs_number, p.nhs_number_valid, p.sex, p.date_of_birth,
        p.registration_date, p.deregistration_date, p.date_of_death, p.address_line_1,
        p.postcode, p.postcode_valid,
        rp.index_date,
        year(rp.index_date) - year(p.date_of_birth)
        - CASE
            WHEN month(rp.index_date) * 100 + day(rp.index_date) < month(p.date_of_birth) * 100 + day(p.date_of_birth)
                THEN 1
            ELSE 0
        END AS age,
        p.registration_date <= rp.index_date
        AND (p.deregistration_date IS NULL OR p.deregistration_date > rp.index_date)
        AND (p.date_of_death IS NULL OR p.date_of_death > rp.index_date) AS live_on_index_date
    FROM patients AS p
    INNER JOIN run_practices AS rp ON rp.practice_code = p.practice_code
),

"type2__hits" AS (
    -- Type 2 diabetes recorded: at least 1 records on or before D.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $type2_codelist AND days_before >= 0
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $type2_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $type2_min_span_days
),

"hba1c_high__values" AS (
    -- Latest HbA1c in the last 12 months is 58 mmol/mol or more: the values within the window on the latest date with a value.
    SELECT practice_code, patient_id, record_date, value
    FROM study_records
    WHERE role = $hba1c_high_codelist AND days_before BETWEEN 0 AND $hba1c_high_within_days AND value IS NOT NULL
    QUALIFY record_date = max(record_date) OVER (PARTITION BY practice_code, patient_id)
),

"hba1c_high__hits" AS (
    -- Holds when every value on that date is >= the threshold.
    SELECT practice_code, patient_id, max(record_date) AS value_date, min(value) AS value,
        bool_and(value >= CAST($hba1c_high_threshold AS DOUBLE)) AS hit
    FROM "hba1c_high__values"
    GROUP BY practice_code, patient_id
),

"on_metformin__hits" AS (
    -- Metformin issued in the last 6 months: at least 1 records within 183 days of D.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $on_metformin_codelist AND days_before BETWEEN 0 AND $on_metformin_within_days AND source = $on_metformin_source
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $on_metformin_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $on_metformin_min_span_days
),

"on_insulin__hits" AS (
    -- Insulin issued in the last 12 months: at least 1 records within 365 days of D.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $on_insulin_codelist AND days_before BETWEEN 0 AND $on_insulin_within_days AND source = $on_insulin_source
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $on_insulin_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $on_insulin_min_span_days
),

"egfr_ok__values" AS (
    -- Latest eGFR is 30 or more: the values within the window on the latest date with a value.
    SELECT practice_code, patient_id, record_date, value
    FROM study_records
    WHERE role = $egfr_ok_codelist AND days_before >= 0 AND value IS NOT NULL
    QUALIFY record_date = max(record_date) OVER (PARTITION BY practice_code, patient_id)
),

"egfr_ok__hits" AS (
    -- Holds when every value on that date is >= the threshold.
    SELECT practice_code, patient_id, max(record_date) AS value_date, min(value) AS value,
        bool_and(value >= CAST($egfr_ok_threshold AS DOUBLE)) AS hit
    FROM "egfr_ok__values"
    GROUP BY practice_code, patient_id
),

"dementia__hits" AS (
    -- Dementia recorded: at least 1 records on or before D.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $dementia_codelist AND days_before >= 0
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $dementia_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $dementia_min_span_days
),

"palliative__hits" AS (
    -- Palliative care recorded: at least 1 records on or before D.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $palliative_codelist AND days_before >= 0
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $palliative_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $palliative_min_span_days
),

"opt_out__matched" AS (
    -- Research opt-out recorded: at least 1 records on or before D.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $opt_out_codelist AND days_before >= 0
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $opt_out_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $opt_out_min_span_days
),

"opt_out__hits" AS (
    -- ...unless a record from the other codelist is dated after the latest of them
    -- (or on the same day, when the study says so).
    SELECT m.practice_code, m.patient_id
    FROM "opt_out__matched" AS m
    WHERE NOT EXISTS (
        SELECT 1 FROM study_records AS u
        WHERE u.practice_code = m.practice_code AND u.patient_id = m.patient_id
            AND u.role = $opt_out_unless_codelist
            AND (u.record_date > m.last_date OR ($opt_out_unless_same_day AND u.record_date = m.last_date))
    )
),

criteria AS (
    -- Every criterion's flag (true when it holds), and what the latest-record and
    -- value rules saw.
    SELECT
        w.*,
        (registration_date <= index_date AND (deregistration_date IS NULL OR deregistration_date > index_date)) AS "registered",
        (date_of_death IS NULL OR date_of_death > index_date) AS "alive",
        (age BETWEEN $aged_40_to_80_min AND $aged_40_to_80_max) AS "aged_40_to_80",
        coalesce(list_contains(CAST($sex_recorded_values AS VARCHAR[]), sex), false) AS "sex_recorded",
        ("type2__hits".practice_code IS NOT NULL) AS "type2",
        coalesce("hba1c_high__hits".hit, false) AS "hba1c_high",
        ("on_metformin__hits".practice_code IS NOT NULL) AS "on_metformin",
        ("on_insulin__hits".practice_code IS NOT NULL) AS "on_insulin",
        coalesce("egfr_ok__hits".hit, false) AS "egfr_ok",
        ("dementia__hits".practice_code IS NOT NULL) AS "dementia",
        ("palliative__hits".practice_code IS NOT NULL) AS "palliative",
        ("opt_out__hits".practice_code IS NOT NULL) AS "opt_out",
        "hba1c_high__hits".value AS "hba1c_high_value",
        "hba1c_high__hits".value_date AS "hba1c_high_date",
        "egfr_ok__hits".value AS "egfr_ok_value",
        "egfr_ok__hits".value_date AS "egfr_ok_date"
    FROM base AS w
    LEFT JOIN "type2__hits" ON "type2__hits".practice_code = w.practice_code AND "type2__hits".patient_id = w.patient_id
    LEFT JOIN "hba1c_high__hits" ON "hba1c_high__hits".practice_code = w.practice_code AND "hba1c_high__hits".patient_id = w.patient_id
    LEFT JOIN "on_metformin__hits" ON "on_metformin__hits".practice_code = w.practice_code AND "on_metformin__hits".patient_id = w.patient_id
    LEFT JOIN "on_insulin__hits" ON "on_insulin__hits".practice_code = w.practice_code AND "on_insulin__hits".patient_id = w.patient_id
    LEFT JOIN "egfr_ok__hits" ON "egfr_ok__hits".practice_code = w.practice_code AND "egfr_ok__hits".patient_id = w.patient_id
    LEFT JOIN "dementia__hits" ON "dementia__hits".practice_code = w.practice_code AND "dementia__hits".patient_id = w.patient_id
    LEFT JOIN "palliative__hits" ON "palliative__hits".practice_code = w.practice_code AND "palliative__hits".patient_id = w.patient_id
    LEFT JOIN "opt_out__hits" ON "opt_out__hits".practice_code = w.practice_code AND "opt_out__hits".patient_id = w.patient_id
),

invited_before AS (
    -- Already invited to this study from this workspace (live ledger rows): the
    -- same practice and patient id, or the same NHS number at any practice.
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN prior_invitations AS i ON i.practice_code = p.practice_code AND i.patient_id = p.patient_id
    UNION
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN prior_invitations AS i ON cf_nhs(i.nhs_number) = p.nhs_number
),

on_do_not_contact AS (
    -- On the workspace's do-not-contact list (complaints, refusals): by practice
    -- and patient id, or by NHS number at any practice.
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN do_not_contact AS d ON d.practice_code = p.practice_code AND d.patient_id = p.patient_id
    UNION
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN do_not_contact AS d ON cf_nhs(d.nhs_number) = p.nhs_number
),

on_screened_out AS (
    -- Excluded from this study by a GP at screening (workspace screening_decisions,
    -- copied as screened_out): by practice and patient id, or by NHS number.
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN screened_out AS s ON s.practice_code = p.practice_code AND s.patient_id = p.patient_id
    UNION
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN screened_out AS s ON cf_nhs(s.nhs_number) = p.nhs_number
),

listed AS (
    SELECT
        c.*,
        (i.patient_id IS NOT NULL) AS already_invited,
        (d.patient_id IS NOT NULL) AS do_not_contact,
        (s.patient_id IS NOT NULL) AS screened_out
    FROM criteria AS c
    LEFT JOIN invited_before AS i ON i.practice_code = c.practice_code AND i.patient_id = c.patient_id
    LEFT JOIN on_do_not_contact AS d ON d.practice_code = c.practice_code AND d.patient_id = c.patient_id
    LEFT JOIN on_screened_out AS s ON s.practice_code = c.practice_code AND s.patient_id = c.patient_id
),

shared_numbers AS (
    -- A valid NHS number held by two or more patients who are registered and alive on
    -- D (in one practice or across the run's practices) belongs to one person at
    -- most: writing to both could reach the wrong person, so both are held back.
    SELECT nhs_number
    FROM base
    WHERE live_on_index_date AND coalesce(nhs_number_valid, false)
    GROUP BY nhs_number
    HAVING count(*) > 1
),

shared_nhs AS (
    SELECT
        l.*,
        coalesce(l.nhs_number_valid, false) AND l.live_on_index_date
        AND s.nhs_number IS NOT NULL AS nhs_shared
    FROM listed AS l
    LEFT JOIN shared_numbers AS s ON s.nhs_number IS NOT DISTINCT FROM l.nhs_number
),

data_quality AS (
    -- Data-quality hold: a record that cannot be mailed safely is held back with
    -- every reason that applies (never silently dropped).
    SELECT
        *,
        nullif(concat_ws(
            '; ',
            CASE WHEN nhs_number IS NOT NULL AND NOT coalesce(nhs_number_valid, true)
                THEN 'NHS number fails the Modulus 11 check' END,
            CASE WHEN nhs_shared THEN 'NHS number shared with another registered patient' END,
            CASE WHEN cf_text(address_line_1) IS NULL THEN 'address line 1 missing' END,
            CASE
                WHEN cf_text(postcode) IS NULL THEN 'postcode missing'
                WHEN NOT coalesce(postcode_valid, false) THEN 'postcode not a valid UK format'
            END
        ), '') AS dq_reason
    FROM shared_nhs
),

decided AS (
    -- The first step that failed, in the study's order (NULL when invited); the
    -- score (points for each scoring criterion held) and out-of-work evidence.
    SELECT
        *,
        CASE
        WHEN NOT "registered" THEN $stop_1
        WHEN NOT "alive" THEN $stop_2
        WHEN NOT "aged_40_to_80" THEN $stop_3
        WHEN NOT "sex_recorded" THEN $stop_4
        WHEN NOT "type2" THEN $stop_5
        WHEN NOT "hba1c_high" THEN $stop_6
        WHEN NOT "on_metformin" THEN $stop_7
        WHEN "on_insulin" THEN $stop_8
        WHEN NOT "egfr_ok" THEN $stop_9
        WHEN "dementia" THEN $stop_10
        WHEN "palliative" THEN $stop_11
        WHEN "opt_out" THEN $stop_12
        WHEN already_invited THEN 'already_invited'
        WHEN do_not_contact THEN 'do_not_contact'
        WHEN screened_out THEN 'screened_out'
        WHEN dq_reason IS NOT NULL THEN 'data_quality'
        END AS stopped_by,
        CAST(0 AS INTEGER) AS score,
        CAST(NULL AS BOOLEAN) AS out_of_work_evidence
    FROM data_quality
),

final AS (
    SELECT
        "practice_code", "patient_id", "index_date", "age", "registered", "alive", "aged_40_to_80", "sex_recorded", "type2", "hba1c_high", "on_metformin", "on_insulin", "egfr_ok", "dementia", "palliative", "opt_out", "hba1c_high_value", "hba1c_high_date", "egfr_ok_value", "egfr_ok_date", "already_invited", "do_not_contact", "screened_out", "dq_reason", "score", "out_of_work_evidence", "stopped_by",
        stopped_by IS NULL AS invited
    FROM decided
)

SELECT * FROM final
ORDER BY practice_code, patient_id;

-- generated: evidence
-- Why each patient the rules let through (or held for data quality) was chosen,
-- record by record, so that "why was I written to?" is answered months later
-- from the run itself: `cohort explain` reads this table.
CREATE OR REPLACE TABLE evidence AS
WITH
reached AS (
    -- The patients whose evidence every run keeps: those the rules let through
    -- (invited, or deferred beyond capacity) and those held for data quality.
    -- Anyone else's is worked out when asked (`cohort explain`) by evidence_query.
    SELECT * FROM population
    WHERE invited OR stopped_by = 'data_quality'
),

reached_records AS (
    -- Their coded records on or before D (study_records), with the code, term,
    -- codelist and version of each (study_codes).
    SELECT
        r.practice_code, r.patient_id, r.role, r.record_date, r.days_before, r.source,
        c.coding_system, c.code, c.term, c.codelist, c.version, r.category, r.value
    FROM study_records AS r
    INNER JOIN reached AS p ON p.practice_code = r.practice_code AND p.patient_id = r.patient_id
    INNER JOIN study_codes AS c ON c.code_id = r.code_id
),

coded_evidence AS (
    -- The records behind each record-based criterion (one SELECT per criterion,
    -- all in one column order, so a positional UNION ALL suffices).
    SELECT practice_code, patient_id, CAST($type2_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $type2_codelist AND days_before >= 0
    UNION ALL
    SELECT practice_code, patient_id, CAST($hba1c_high_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $hba1c_high_codelist AND days_before BETWEEN 0 AND $hba1c_high_within_days AND value IS NOT NULL
    UNION ALL
    SELECT practice_code, patient_id, CAST($on_metformin_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $on_metformin_codelist AND days_before BETWEEN 0 AND $on_metformin_within_days AND source = $on_metformin_source
    UNION ALL
    SELECT practice_code, patient_id, CAST($on_insulin_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $on_insulin_codelist AND days_before BETWEEN 0 AND $on_insulin_within_days AND source = $on_insulin_source
    UNION ALL
    SELECT practice_code, patient_id, CAST($egfr_ok_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $egfr_ok_codelist AND days_before >= 0 AND value IS NOT NULL
    UNION ALL
    SELECT practice_code, patient_id, CAST($dementia_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $dementia_codelist AND days_before >= 0
    UNION ALL
    SELECT practice_code, patient_id, CAST($palliative_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $palliative_codelist AND days_before >= 0
    UNION ALL
    SELECT practice_code, patient_id, CAST($opt_out_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $opt_out_codelist AND days_before >= 0
    UNION ALL
    SELECT practice_code, patient_id, CAST($opt_out_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $opt_out_unless_codelist
),

list_matches AS (
    -- Earlier invitations, do-not-contact entries and GP screening exclusions that
    -- match: by practice and patient id, or else by NHS number (another practice).
    SELECT p.practice_code, p.patient_id, 'already_invited' AS rule, 'ledger' AS source,
        i.invite_ref AS code, 'invited in run ' || i.run_id || '; matched by practice and patient id' AS detail
    FROM reached AS p
    INNER JOIN prior_invitations AS i ON i.practice_code = p.practice_code AND i.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'already_invited', 'ledger', i.invite_ref,
        'invited in run ' || i.run_id || '; matched by NHS number'
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN prior_invitations AS i ON cf_nhs(i.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(i.practice_code = p.practice_code AND i.patient_id = p.patient_id, false)
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'do_not_contact', 'do_not_contact', NULL,
        'reason: ' || coalesce(d.reason, 'not given') || ' (matched by practice and patient id)'
    FROM reached AS p
    INNER JOIN do_not_contact AS d ON d.practice_code = p.practice_code AND d.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'do_not_contact', 'do_not_contact', NULL,
        'reason: ' || coalesce(d.reason, 'not given') || ' (matched by NHS number)'
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN do_not_contact AS d ON cf_nhs(d.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(d.practice_code = p.practice_code AND d.patient_id = p.patient_id, false)
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'screened_out', 'screening', NULL,
        'excluded at screening in run ' || s.run_id || ' (' || coalesce(s.reason, 'no reason given')
        || '; matched by practice and patient id)'
    FROM reached AS p
    INNER JOIN screened_out AS s ON s.practice_code = p.practice_code AND s.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'screened_out', 'screening', NULL,
        'excluded at screening in run ' || s.run_id || ' (' || coalesce(s.reason, 'no reason given')
        || '; matched by NHS number)'
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN screened_out AS s ON cf_nhs(s.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(s.practice_code = p.practice_code AND s.patient_id = p.patient_id, false)
),

list_evidence AS (
    SELECT
        practice_code, patient_id, rule, NULL::DATE AS record_date, NULL::VARCHAR AS coding_system,
        code, NULL::VARCHAR AS term, NULL::VARCHAR AS codelist, NULL::VARCHAR AS version,
        NULL::VARCHAR AS category, NULL::VARCHAR AS role, source, NULL::BOOLEAN AS in_window,
        NULL::DOUBLE AS value, detail
    FROM list_matches
),

decision AS (
    -- One row per patient: the first step that stopped them, or 'invited'.
    SELECT
        practice_code, patient_id, 'decision' AS rule, index_date AS record_date,
        NULL::VARCHAR AS coding_system, NULL::VARCHAR AS code, NULL::VARCHAR AS term,
        NULL::VARCHAR AS codelist, NULL::VARCHAR AS version,
        coalesce(stopped_by, 'invited') AS category, NULL::VARCHAR AS role, 'study' AS source,
        NULL::BOOLEAN AS in_window, NULL::DOUBLE AS value, dq_reason AS detail
    FROM reached
),

final AS (
    SELECT * FROM coded_evidence
    UNION ALL SELECT * FROM list_evidence
    UNION ALL SELECT * FROM decision
)

SELECT * FROM final
ORDER BY
    practice_code, patient_id,
    list_position(CAST($evidence_rule_order AS VARCHAR[]), rule),
    record_date, coding_system, code, role, detail;

-- generated: attrition
-- How many patients remain after each step, in the study's order, for the whole
-- run (practice_code 'ALL') and for each practice: the count a practice can check
-- against its own search. A step that requires any one of several criteria also
-- lists how many of the patients it was applied to met each (they overlap, so
-- those rows have no 'removed' count and do not add up).
CREATE OR REPLACE TABLE attrition AS
WITH
steps AS (
    -- The steps in order; 'step' is the stop name in population.stopped_by.
    SELECT * FROM (VALUES
        (1, 0, $attrition_step_1, $attrition_label_1, false),
        (2, 1, $attrition_step_2, $attrition_label_2, false),
        (3, 2, $attrition_step_3, $attrition_label_3, false),
        (4, 3, $attrition_step_4, $attrition_label_4, false),
        (5, 4, $attrition_step_5, $attrition_label_5, false),
        (6, 5, $attrition_step_6, $attrition_label_6, false),
        (7, 6, $attrition_step_7, $attrition_label_7, false),
        (8, 7, $attrition_step_8, $attrition_label_8, false),
        (9, 8, $attrition_step_9, $attrition_label_9, false),
        (10, 9, $attrition_step_10, $attrition_label_10, false),
        (11, 10, $attrition_step_11, $attrition_label_11, false),
        (12, 11, $attrition_step_12, $attrition_label_12, false),
        (13, 12, $attrition_step_13, $attrition_label_13, false),
        (14, 13, $attrition_step_14, $attrition_label_14, false),
        (15, 14, $attrition_step_15, $attrition_label_15, false),
        (16, 15, $attrition_step_16, $attrition_label_16, false),
        (17, 16, $attrition_step_17, $attrition_label_17, false),
        (18, 17, $attrition_step_18, $attrition_label_18, false)
    ) AS s (row_no, step_no, step, label, is_member)
),

scopes AS (
    -- Each practice of the run, and 'ALL' for the total.
    SELECT practice_code FROM run_practices
    UNION ALL
    SELECT 'ALL' AS practice_code
),

tagged AS (
    -- Every patient twice: under their practice and under ALL, with the position
    -- of the step that stopped them (1000: invited).
    SELECT practice_code, stopped_by, coalesce(list_position(CAST($attrition_stops AS VARCHAR[]), stopped_by), 1000) AS stop_pos
    FROM population
    UNION ALL
    SELECT 'ALL' AS practice_code, stopped_by, coalesce(list_position(CAST($attrition_stops AS VARCHAR[]), stopped_by), 1000) AS stop_pos
    FROM population
),

removed AS (
    SELECT practice_code, stopped_by AS step, count(*) AS removed
    FROM tagged
    WHERE stopped_by IS NOT NULL
    GROUP BY practice_code, stopped_by
),

members AS (
    -- Patients reaching an any-of step who met each of its criteria.
    SELECT practice_code, step, count(*) AS met
    FROM (
        SELECT NULL::VARCHAR AS practice_code, NULL::VARCHAR AS step WHERE false
    )
    GROUP BY practice_code, step
),

totals AS (
    SELECT practice_code, count(*) AS total FROM tagged GROUP BY practice_code
),

counted AS (
    SELECT
        sc.practice_code, s.row_no, s.step_no, s.step, s.label, s.is_member,
        coalesce(t.total, 0) AS total,
        CASE WHEN s.is_member THEN 0 ELSE coalesce(r.removed, 0) END AS removed,
        coalesce(m.met, 0) AS met
    FROM scopes AS sc
    CROSS JOIN steps AS s
    LEFT JOIN totals AS t ON t.practice_code = sc.practice_code
    LEFT JOIN removed AS r ON r.practice_code = sc.practice_code AND r.step = s.step AND NOT s.is_member
    LEFT JOIN members AS m ON m.practice_code = sc.practice_code AND m.step = s.step AND s.is_member
),

final AS (
    SELECT
        practice_code, row_no, step_no, step, label,
        CASE
            WHEN is_member THEN met
            ELSE total - sum(removed) OVER (PARTITION BY practice_code ORDER BY row_no)
        END AS remaining,
        CASE WHEN is_member THEN NULL ELSE removed END AS removed
    FROM counted
)

SELECT * FROM final
ORDER BY practice_code = 'ALL' DESC, practice_code, row_no;

-- sql/study/quarantine.sql
-- Patients who passed every rule but whose record cannot be mailed safely (NHS
-- number failing its check digit, address line 1 or postcode missing, postcode
-- not a UK format): held back with the reason, for the practice to correct.
CREATE OR REPLACE TABLE quarantine AS
WITH
final AS (
    SELECT practice_code, patient_id, dq_reason AS reason
    FROM population
    WHERE stopped_by = 'data_quality'
)

SELECT * FROM final
ORDER BY practice_code, patient_id;

-- generated: definition
-- The study as the run applied it: its criteria (name, label, node type and
-- numbers) and steps in order, as JSON. `cohort explain` and the report read it.
CREATE OR REPLACE TABLE study_definition AS
WITH
final AS (
    SELECT CAST($study_name AS VARCHAR) AS study,
        CAST($study_tree AS VARCHAR) AS tree
)

SELECT * FROM final;

-- sql/study/study_steps.sql
-- The study's steps in order (from study_definition): the stop name recorded in
-- population.stopped_by, the criterion a step requires or excludes (NULL for the
-- built-in final steps) and its label. Validation and the report read it.
CREATE OR REPLACE TABLE study_steps AS
WITH
steps AS (
    SELECT unnest(CAST(json_extract(tree, '$.steps') AS JSON[])) AS s
    FROM study_definition
),

final AS (
    SELECT
        CAST(s ->> 'position' AS INTEGER) AS position,
        s ->> 'stop' AS stop,
        s ->> 'criterion' AS criterion,
        CAST(s ->> 'exclude' AS BOOLEAN) AS exclude,
        s ->> 'label' AS label
    FROM steps
)

SELECT * FROM final
ORDER BY position;

-- sql/study/study_criteria.sql
-- The study's criteria (from study_definition), one row each: node type, label, the
-- codelist it reads (name and version resolved from its alias), its window, and
-- the codelist of its "unless a later record" part. Validation reads it.
CREATE OR REPLACE TABLE study_criteria AS
WITH
criteria AS (
    SELECT unnest(CAST(json_extract(tree, '$.criteria') AS JSON[])) AS c, tree
    FROM study_definition
),

pins AS (
    SELECT p ->> 'alias' AS alias, p ->> 'name' AS codelist, p ->> 'version' AS version
    FROM (SELECT unnest(CAST(json_extract(tree, '$.codelists') AS JSON[])) AS p FROM study_definition)
),

final AS (
    SELECT
        c ->> 'name' AS name,
        c ->> 'kind' AS kind,
        c ->> 'label' AS label,
        cp.codelist,
        cp.version,
        CAST(c -> 'definition' ->> 'within_days' AS INTEGER) AS within_days,
        CAST(c -> 'definition' ->> 'min_count' AS INTEGER) AS min_count,
        up.codelist AS unless_codelist,
        up.version AS unless_version,
        CAST(c -> 'definition' AS VARCHAR) AS definition
    FROM criteria
    LEFT JOIN pins AS cp ON cp.alias = c -> 'definition' ->> 'codelist'
    LEFT JOIN pins AS up ON up.alias = c -> 'definition' -> 'unless' ->> 'codelist'
)

SELECT * FROM final
ORDER BY name;

-- sql/study/cleanup.sql
-- Drop the study's working tables; population, evidence, attrition and quarantine stay.
DROP TABLE IF EXISTS study_records;
DROP TABLE IF EXISTS study_codes;
