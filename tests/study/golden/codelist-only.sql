-- Study codelist-only: Codelist-only search (the pilot's baseline)
-- Bound parameters:
--   $attrition_label_1 = 'Patients in the extracts'
--   $attrition_label_10 = 'Not on the do-not-contact list'
--   $attrition_label_11 = 'Not screened out by a GP before'
--   $attrition_label_12 = 'Not held back for data quality'
--   $attrition_label_13 = 'Invited'
--   $attrition_label_2 = 'Registered on the index date'
--   $attrition_label_3 = 'Alive on the index date'
--   $attrition_label_4 = 'Of working age'
--   $attrition_label_5 = 'With chronic pain (any route)'
--   $attrition_label_6 = '  C1 repeated pain conditions'
--   $attrition_label_7 = '  C2 chronic pain recorded'
--   $attrition_label_8 = '  C3 repeat pain medication'
--   $attrition_label_9 = 'Not already invited'
--   $attrition_member_c1 = 'c1'
--   $attrition_member_c2 = 'c2'
--   $attrition_member_c3 = 'c3'
--   $attrition_step_1 = 'extract'
--   $attrition_step_10 = 'do_not_contact'
--   $attrition_step_11 = 'screened_out'
--   $attrition_step_12 = 'data_quality'
--   $attrition_step_13 = 'invited'
--   $attrition_step_2 = 'not_registered'
--   $attrition_step_3 = 'not_alive'
--   $attrition_step_4 = 'age'
--   $attrition_step_5 = 'no_chronic_pain'
--   $attrition_step_6 = 'c1'
--   $attrition_step_7 = 'c2'
--   $attrition_step_8 = 'c3'
--   $attrition_step_9 = 'already_invited'
--   $attrition_stops = ['not_registered', 'not_alive', 'age', 'no_chronic_pain', 'already_invited', 'do_not_contact', 'screened_out', 'data_quality']
--   $c1_codelist = 'chronic_pain_conditions'
--   $c1_min_count = 2
--   $c1_min_span_days = 90
--   $c1_rule = 'c1'
--   $c1_within_days = 730
--   $c2_codelist = 'chronic_pain_diagnosis'
--   $c2_min_count = 1
--   $c2_min_span_days = 0
--   $c2_rule = 'c2'
--   $c2_within_days = 730
--   $c3_codelist = 'pain_medications'
--   $c3_min_count = 3
--   $c3_min_span_days = 90
--   $c3_rule = 'c3'
--   $c3_within_days = 365
--   $codelist_chronic_pain_conditions = 'chronic_pain_conditions'
--   $codelist_chronic_pain_diagnosis = 'chronic_pain_diagnosis'
--   $codelist_pain_medications = 'pain_medications'
--   $evidence_rule_order = ['decision', 'registered', 'alive', 'working_age', 'c1', 'c2', 'c3', 'chronic_pain', 'already_invited', 'do_not_contact', 'screened_out']
--   $lookback_chronic_pain_conditions = 730
--   $lookback_chronic_pain_diagnosis = 730
--   $lookback_pain_medications = 365
--   $role_chronic_pain_conditions = 'chronic_pain_conditions'
--   $role_chronic_pain_diagnosis = 'chronic_pain_diagnosis'
--   $role_pain_medications = 'pain_medications'
--   $stop_1 = 'not_registered'
--   $stop_2 = 'not_alive'
--   $stop_3 = 'age'
--   $stop_4 = 'no_chronic_pain'
--   $study_name = 'codelist-only'
--   $study_tree = '{"codelists": [{"alias": "chronic_pain_conditions", "name": "chronic_pain_conditions", "version": "1"}, {"alias": "chronic_pain_diagnosis", "name": "chronic_pain_diagnosis", "version": "1"}, {"alias": "pain_medications", "name": "pain_medications", "version": "1"}], "criteria": [{"definition": {}, "kind": "registered", "label": "Registered on the index date", "members": [], "name": "registered"}, {"definition": {}, "kind": "alive", "label": "Alive on the index date", "members": [], "name": "alive"}, {"definition": {"max": 64, "min": 18}, "kind": "age", "label": "Of working age", "members": [], "name": "working_age"}, {"definition": {"category_in": [], "codelist": "chronic_pain_conditions", "distinct_dates": false, "min_count": 2, "min_span_days": 90, "source": null, "unless": null, "within_days": 730}, "kind": "records", "label": "C1 repeated pain conditions", "members": [], "name": "c1"}, {"definition": {"category_in": [], "codelist": "chronic_pain_diagnosis", "distinct_dates": false, "min_count": 1, "min_span_days": 0, "source": null, "unless": null, "within_days": 730}, "kind": "records", "label": "C2 chronic pain recorded", "members": [], "name": "c2"}, {"definition": {"category_in": [], "codelist": "pain_medications", "distinct_dates": false, "min_count": 3, "min_span_days": 90, "source": null, "unless": null, "within_days": 365}, "kind": "records", "label": "C3 repeat pain medication", "members": [], "name": "c3"}, {"definition": {"of": ["c1", "c2", "c3"]}, "kind": "any", "label": "With chronic pain (any route)", "members": ["c1", "c2", "c3"], "name": "chronic_pain"}], "name": "codelist-only", "out_of_work_evidence": null, "score": {}, "steps": [{"criterion": "registered", "exclude": false, "label": "Registered on the index date", "position": 1, "stop": "not_registered"}, {"criterion": "alive", "exclude": false, "label": "Alive on the index date", "position": 2, "stop": "not_alive"}, {"criterion": "working_age", "exclude": false, "label": "Of working age", "position": 3, "stop": "age"}, {"criterion": "chronic_pain", "exclude": false, "label": "With chronic pain (any route)", "position": 4, "stop": "no_chronic_pain"}, {"criterion": null, "exclude": false, "label": "Not already invited", "position": 5, "stop": "already_invited"}, {"criterion": null, "exclude": false, "label": "Not on the do-not-contact list", "position": 6, "stop": "do_not_contact"}, {"criterion": null, "exclude": false, "label": "Not screened out by a GP before", "position": 7, "stop": "screened_out"}, {"criterion": null, "exclude": false, "label": "Not held back for data quality", "position": 8, "stop": "data_quality"}], "title": "Codelist-only search (the pilot''s baseline)"}'
--   $version_chronic_pain_conditions = '1'
--   $version_chronic_pain_diagnosis = '1'
--   $version_pain_medications = '1'
--   $working_age_max = 64
--   $working_age_min = 18

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
        ($role_chronic_pain_conditions, $codelist_chronic_pain_conditions, $version_chronic_pain_conditions, $lookback_chronic_pain_conditions),
        ($role_chronic_pain_diagnosis, $codelist_chronic_pain_diagnosis, $version_chronic_pain_diagnosis, $lookback_chronic_pain_diagnosis),
        ($role_pain_medications, $codelist_pain_medications, $version_pain_medications, $lookback_pain_medications)
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

"c1__hits" AS (
    -- C1 repeated pain conditions: at least 2 records within 730 days of D, the latest at least 90 days after the earliest.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $c1_codelist AND days_before BETWEEN 0 AND $c1_within_days
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $c1_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $c1_min_span_days
),

"c2__hits" AS (
    -- C2 chronic pain recorded: at least 1 records within 730 days of D.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $c2_codelist AND days_before BETWEEN 0 AND $c2_within_days
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $c2_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $c2_min_span_days
),

"c3__hits" AS (
    -- C3 repeat pain medication: at least 3 records within 365 days of D, the latest at least 90 days after the earliest.
    SELECT practice_code, patient_id, max(record_date) AS last_date
    FROM study_records
    WHERE role = $c3_codelist AND days_before BETWEEN 0 AND $c3_within_days
    GROUP BY practice_code, patient_id
    HAVING count(*) >= $c3_min_count
        AND date_diff('day', min(record_date), max(record_date)) >= $c3_min_span_days
),

criteria AS (
    -- Every criterion's flag (true when it holds), and what the latest-record and
    -- value rules saw.
    SELECT
        w.*,
        (registration_date <= index_date AND (deregistration_date IS NULL OR deregistration_date > index_date)) AS "registered",
        (date_of_death IS NULL OR date_of_death > index_date) AS "alive",
        (age BETWEEN $working_age_min AND $working_age_max) AS "working_age",
        ("c1__hits".practice_code IS NOT NULL) AS "c1",
        ("c2__hits".practice_code IS NOT NULL) AS "c2",
        ("c3__hits".practice_code IS NOT NULL) AS "c3",
        (("c1__hits".practice_code IS NOT NULL) OR ("c2__hits".practice_code IS NOT NULL) OR ("c3__hits".practice_code IS NOT NULL)) AS "chronic_pain"
    FROM base AS w
    LEFT JOIN "c1__hits" ON "c1__hits".practice_code = w.practice_code AND "c1__hits".patient_id = w.patient_id
    LEFT JOIN "c2__hits" ON "c2__hits".practice_code = w.practice_code AND "c2__hits".patient_id = w.patient_id
    LEFT JOIN "c3__hits" ON "c3__hits".practice_code = w.practice_code AND "c3__hits".patient_id = w.patient_id
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
        WHEN NOT "working_age" THEN $stop_3
        WHEN NOT "chronic_pain" THEN $stop_4
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
        "practice_code", "patient_id", "index_date", "age", "registered", "alive", "working_age", "c1", "c2", "c3", "chronic_pain", "already_invited", "do_not_contact", "screened_out", "dq_reason", "score", "out_of_work_evidence", "stopped_by",
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
    SELECT practice_code, patient_id, CAST($c1_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $c1_codelist AND days_before BETWEEN 0 AND $c1_within_days
    UNION ALL
    SELECT practice_code, patient_id, CAST($c2_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $c2_codelist AND days_before BETWEEN 0 AND $c2_within_days
    UNION ALL
    SELECT practice_code, patient_id, CAST($c3_rule AS VARCHAR) AS rule, record_date, coding_system, code,
        term, codelist, version, category, role, source, true AS in_window, value,
        NULL::VARCHAR AS detail
    FROM reached_records
    WHERE role = $c3_codelist AND days_before BETWEEN 0 AND $c3_within_days
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
        (6, 4, $attrition_step_6, $attrition_label_6, true),
        (7, 4, $attrition_step_7, $attrition_label_7, true),
        (8, 4, $attrition_step_8, $attrition_label_8, true),
        (9, 5, $attrition_step_9, $attrition_label_9, false),
        (10, 6, $attrition_step_10, $attrition_label_10, false),
        (11, 7, $attrition_step_11, $attrition_label_11, false),
        (12, 8, $attrition_step_12, $attrition_label_12, false),
        (13, 9, $attrition_step_13, $attrition_label_13, false)
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
    SELECT practice_code, stopped_by, coalesce(list_position(CAST($attrition_stops AS VARCHAR[]), stopped_by), 1000) AS stop_pos, "c1", "c2", "c3"
    FROM population
    UNION ALL
    SELECT 'ALL' AS practice_code, stopped_by, coalesce(list_position(CAST($attrition_stops AS VARCHAR[]), stopped_by), 1000) AS stop_pos, "c1", "c2", "c3"
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
        SELECT practice_code, $attrition_member_c1 AS step FROM tagged WHERE stop_pos >= 4 AND "c1"
        UNION ALL
        SELECT practice_code, $attrition_member_c2 AS step FROM tagged WHERE stop_pos >= 4 AND "c2"
        UNION ALL
        SELECT practice_code, $attrition_member_c3 AS step FROM tagged WHERE stop_pos >= 4 AND "c3"
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
