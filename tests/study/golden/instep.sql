-- Study instep: InStep: help to find work for people with chronic pain
-- Bound parameters:
--   $c1_min_count = 2
--   $c1_min_span_days = 90
--   $c1_window_days = 730
--   $c2_min_count = 1
--   $c2_min_span_days = 0
--   $c2_window_days = 730
--   $c3_min_count = 3
--   $c3_min_span_days = 90
--   $c3_window_days = 365
--   $codelist_chronic_pain_conditions = 'chronic_pain_conditions'
--   $codelist_chronic_pain_diagnosis = 'chronic_pain_diagnosis'
--   $codelist_dementia = 'dementia'
--   $codelist_employment_status = 'employment_status'
--   $codelist_pain_medications = 'pain_medications'
--   $codelist_palliative_care = 'palliative_care'
--   $codelist_research_opt_out = 'research_opt_out'
--   $codelist_research_opt_out_withdrawn = 'research_opt_out_withdrawn'
--   $employment_exclude_categories = ['employed', 'retired', 'student']
--   $employment_window_days = 730
--   $max_age = 64
--   $min_age = 18
--   $version_chronic_pain_conditions = '1'
--   $version_chronic_pain_diagnosis = '1'
--   $version_dementia = '1'
--   $version_employment_status = '1'
--   $version_pain_medications = '1'
--   $version_palliative_care = '1'
--   $version_research_opt_out = '1'
--   $version_research_opt_out_withdrawn = '1'

-- sql/study/roles.sql
-- The fixed codelist roles the rules refer to, mapped to the codelist name and
-- version the study file pins (studies/*.yaml, `codelists:`). Every later rule
-- finds its codes through this table, never by a codelist name in SQL text.
CREATE OR REPLACE TEMP TABLE study_roles AS
WITH
pins AS (
    SELECT * FROM (VALUES
        ('chronic_pain_conditions', $codelist_chronic_pain_conditions, $version_chronic_pain_conditions),
        ('chronic_pain_diagnosis', $codelist_chronic_pain_diagnosis, $version_chronic_pain_diagnosis),
        ('pain_medications', $codelist_pain_medications, $version_pain_medications),
        ('employment_status', $codelist_employment_status, $version_employment_status),
        ('dementia', $codelist_dementia, $version_dementia),
        ('palliative_care', $codelist_palliative_care, $version_palliative_care),
        ('research_opt_out', $codelist_research_opt_out, $version_research_opt_out),
        ('research_opt_out_withdrawn', $codelist_research_opt_out_withdrawn, $version_research_opt_out_withdrawn)
    ) AS p (role, codelist, version)
),

final AS (
    SELECT role, CAST(codelist AS VARCHAR) AS codelist, CAST(version AS VARCHAR) AS version FROM pins
)

SELECT * FROM final ORDER BY role;

-- sql/study/records.sql
-- The coded records every rule looks at: each clinical event and prescription
-- issue whose code is in one of the study's codelists, tagged with the role that
-- codelist plays, dated on or before its practice's index date D. Records dated
-- after D (planned reviews, mistyped years) are left out here, so no rule sees them.
-- Codes match exactly: same coding system, same case (Read v2 'a' is not 'A').
CREATE OR REPLACE TEMP TABLE study_records AS
WITH
role_codes AS (
    -- Every concrete code (descendants already expanded) of each role's codelist.
    SELECT r.role, c.codelist, c.version, c.coding_system, c.code, c.term, c.category
    FROM study_roles AS r
    INNER JOIN codelist_codes AS c ON c.codelist = r.codelist AND c.version = r.version
),

coded AS (
    -- Clinical events and prescription issues side by side.
    SELECT practice_code, patient_id, event_date AS record_date, coding_system, code, 'event' AS source
    FROM events
    UNION ALL
    SELECT practice_code, patient_id, issue_date AS record_date, coding_system, code, 'issue' AS source
    FROM medications
),

final AS (
    SELECT
        rec.practice_code,
        rec.patient_id,
        rc.role,
        rec.record_date,
        rp.index_date,
        date_diff('day', rec.record_date, rp.index_date) AS days_before,
        rec.source,
        rec.coding_system,
        rec.code,
        rc.term,
        rc.codelist,
        rc.version,
        rc.category
    FROM coded AS rec
    INNER JOIN run_practices AS rp ON rp.practice_code = rec.practice_code
    INNER JOIN role_codes AS rc ON rc.coding_system = rec.coding_system AND rc.code = rec.code
    WHERE rec.record_date <= rp.index_date
)

SELECT * FROM final;

-- sql/study/population.sql
-- Who is invited: every patient in the extracts, judged at their practice's index
-- date D by each rule of the study in turn (docs/rules.md), one CTE per rule, then
-- the first rule that failed (stopped_by). Flags are worked out for every patient,
-- so a complaint can be answered for any of them. Reads study_records (records.sql).
CREATE OR REPLACE TABLE population AS
WITH
base AS (
    -- Each patient with their practice's index date D.
    SELECT p.*, rp.index_date
    FROM patients AS p
    INNER JOIN run_practices AS rp ON rp.practice_code = p.practice_code
),

registered AS (
    -- Registered on D: the registration started on or before D and had not ended by D.
    SELECT
        *,
        registration_date <= index_date
        AND (deregistration_date IS NULL OR deregistration_date > index_date) AS registered
    FROM base
),

alive AS (
    -- Alive on D: no date of death, or one after D.
    SELECT *, (date_of_death IS NULL OR date_of_death > index_date) AS alive
    FROM registered
),

age AS (
    -- Age on D in completed years: the birthday counts once D reaches its month
    -- and day. Born 29 February: in a year without one, D = 28 February is before
    -- the birthday and D = 1 March is on or after it, so the birthday is 1 March.
    SELECT
        *,
        year(index_date) - year(date_of_birth)
        - CASE
            WHEN month(index_date) * 100 + day(index_date) < month(date_of_birth) * 100 + day(date_of_birth)
                THEN 1
            ELSE 0
        END AS age
    FROM alive
),

working_age AS (
    -- Working age: aged min_age to max_age on D, both included.
    SELECT *, age BETWEEN $min_age AND $max_age AS working_age
    FROM age
),

c1_records AS (
    -- C1 repeated pain conditions: pain-condition events within the C1 window of D.
    SELECT practice_code, patient_id, count(*) AS n, min(record_date) AS first_date, max(record_date) AS last_date
    FROM study_records
    WHERE role = 'chronic_pain_conditions' AND days_before BETWEEN 0 AND $c1_window_days
    GROUP BY practice_code, patient_id
),

c1 AS (
    -- C1 holds with at least min_count such events, the latest at least min_span_days after the earliest.
    SELECT
        w.*,
        coalesce(r.n >= $c1_min_count AND date_diff('day', r.first_date, r.last_date) >= $c1_min_span_days, false) AS c1
    FROM working_age AS w
    LEFT JOIN c1_records AS r ON r.practice_code = w.practice_code AND r.patient_id = w.patient_id
),

c2_records AS (
    -- C2 chronic pain recorded: events whose code itself says chronic pain, within the C2 window.
    SELECT practice_code, patient_id, count(*) AS n, min(record_date) AS first_date, max(record_date) AS last_date
    FROM study_records
    WHERE role = 'chronic_pain_diagnosis' AND days_before BETWEEN 0 AND $c2_window_days
    GROUP BY practice_code, patient_id
),

c2 AS (
    -- C2 holds with at least min_count such events (and any span the study asks for).
    SELECT
        c.*,
        coalesce(r.n >= $c2_min_count AND date_diff('day', r.first_date, r.last_date) >= $c2_min_span_days, false) AS c2
    FROM c1 AS c
    LEFT JOIN c2_records AS r ON r.practice_code = c.practice_code AND r.patient_id = c.patient_id
),

c3_records AS (
    -- C3 repeat pain medication: issues of pain medicines within the C3 window.
    SELECT practice_code, patient_id, count(*) AS n, min(record_date) AS first_date, max(record_date) AS last_date
    FROM study_records
    WHERE role = 'pain_medications' AND days_before BETWEEN 0 AND $c3_window_days
    GROUP BY practice_code, patient_id
),

c3 AS (
    -- C3 holds with at least min_count issues, the latest at least min_span_days after the earliest.
    SELECT
        c.*,
        coalesce(r.n >= $c3_min_count AND date_diff('day', r.first_date, r.last_date) >= $c3_min_span_days, false) AS c3
    FROM c2 AS c
    LEFT JOIN c3_records AS r ON r.practice_code = c.practice_code AND r.patient_id = c.patient_id
),

chronic_pain AS (
    -- Chronic pain: any one route.
    SELECT *, (c1 OR c2 OR c3) AS chronic_pain
    FROM c3
),

employment_latest AS (
    -- Employment status: the employment-status records within the window that
    -- fall on the latest date among them (several codes can share that day).
    SELECT practice_code, patient_id, record_date, category
    FROM study_records
    WHERE role = 'employment_status' AND days_before BETWEEN 0 AND $employment_window_days
    QUALIFY record_date = max(record_date) OVER (PARTITION BY practice_code, patient_id)
),

employment_day AS (
    -- The categories on that latest day; in work if any is an excluding category
    -- (employed, retired, student), even when 'unemployed' was coded the same day.
    SELECT
        practice_code,
        patient_id,
        max(record_date) AS employment_date,
        list_sort(list_distinct(list(category))) AS employment_categories,
        coalesce(min(category) FILTER (WHERE list_contains(CAST($employment_exclude_categories AS VARCHAR[]), category)), min(category))
            AS employment_category,
        coalesce(bool_or(list_contains(CAST($employment_exclude_categories AS VARCHAR[]), category)), false) AS in_work
    FROM employment_latest
    GROUP BY practice_code, patient_id
),

not_in_work AS (
    -- Not known to be in work: no excluding category on the latest employment date
    -- in the window (most people have no employment record at all).
    SELECT
        c.*,
        e.employment_category,
        e.employment_categories,
        e.employment_date,
        NOT coalesce(e.in_work, false) AS not_in_work
    FROM chronic_pain AS c
    LEFT JOIN employment_day AS e ON e.practice_code = c.practice_code AND e.patient_id = c.patient_id
),

dementia AS (
    -- Dementia: any dementia record on or before D (consent needs capacity).
    SELECT
        n.*,
        EXISTS (
            SELECT 1 FROM study_records AS r
            WHERE r.role = 'dementia' AND r.practice_code = n.practice_code AND r.patient_id = n.patient_id
        ) AS dementia
    FROM not_in_work AS n
),

palliative AS (
    -- Palliative care: any palliative-care record on or before D.
    SELECT
        d.*,
        EXISTS (
            SELECT 1 FROM study_records AS r
            WHERE r.role = 'palliative_care' AND r.practice_code = d.practice_code AND r.patient_id = d.patient_id
        ) AS palliative
    FROM dementia AS d
),

opt_out_dates AS (
    -- The latest research opt-out (type 1 dissent) and latest withdrawal of it, on or before D.
    SELECT
        practice_code,
        patient_id,
        max(record_date) FILTER (WHERE role = 'research_opt_out') AS opt_out_date,
        max(record_date) FILTER (WHERE role = 'research_opt_out_withdrawn') AS opt_out_withdrawn_date
    FROM study_records
    WHERE role IN ('research_opt_out', 'research_opt_out_withdrawn')
    GROUP BY practice_code, patient_id
),

opt_out AS (
    -- Opted out: an opt-out record with no withdrawal dated strictly later. A
    -- withdrawal on the same day as the opt-out does not lift it: the order of
    -- two records on one day is unknown, so the opt-out stands.
    SELECT
        p.*,
        coalesce(
            o.opt_out_date IS NOT NULL
            AND (o.opt_out_withdrawn_date IS NULL OR o.opt_out_withdrawn_date <= o.opt_out_date),
            false
        ) AS opt_out
    FROM palliative AS p
    LEFT JOIN opt_out_dates AS o ON o.practice_code = p.practice_code AND o.patient_id = p.patient_id
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

already_invited_rule AS (
    SELECT o.*, (i.patient_id IS NOT NULL) AS already_invited
    FROM opt_out AS o
    LEFT JOIN invited_before AS i ON i.practice_code = o.practice_code AND i.patient_id = o.patient_id
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

do_not_contact_rule AS (
    SELECT a.*, (d.patient_id IS NOT NULL) AS do_not_contact
    FROM already_invited_rule AS a
    LEFT JOIN on_do_not_contact AS d ON d.practice_code = a.practice_code AND d.patient_id = a.patient_id
),

screened_out_before AS (
    -- Screened out: a GP excluded them at screening for this study before (the
    -- workspace's screening decisions): by practice and patient id, or by NHS
    -- number at any practice. Not the do-not-contact list: other studies may write.
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN screened_out AS s ON s.practice_code = p.practice_code AND s.patient_id = p.patient_id
    UNION
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN screened_out AS s ON cf_nhs(s.nhs_number) = p.nhs_number
),

screened_out_rule AS (
    SELECT d.*, (s.patient_id IS NOT NULL) AS screened_out
    FROM do_not_contact_rule AS d
    LEFT JOIN screened_out_before AS s ON s.practice_code = d.practice_code AND s.patient_id = d.patient_id
),

shared_nhs AS (
    -- A valid NHS number held by two or more patients who are registered and alive on
    -- D (in one practice or across the run's practices) belongs to one person at
    -- most: writing to both could reach the wrong person, so both are held back.
    SELECT
        *,
        coalesce(nhs_number_valid, false) AND registered AND alive
        AND count(*) FILTER (WHERE registered AND alive AND coalesce(nhs_number_valid, false))
            OVER (PARTITION BY nhs_number) > 1 AS nhs_shared
    FROM screened_out_rule
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
    -- The first rule that failed, in the study's order; NULL when invited.
    SELECT
        *,
        CASE
            WHEN NOT registered THEN 'not_registered'
            WHEN NOT alive THEN 'not_alive'
            WHEN NOT working_age THEN 'age'
            WHEN NOT chronic_pain THEN 'no_chronic_pain'
            WHEN NOT not_in_work THEN 'in_work'
            WHEN dementia THEN 'dementia'
            WHEN palliative THEN 'palliative'
            WHEN opt_out THEN 'opt_out'
            WHEN already_invited THEN 'already_invited'
            WHEN do_not_contact THEN 'do_not_contact'
            WHEN screened_out THEN 'screened_out'
            WHEN dq_reason IS NOT NULL THEN 'data_quality'
        END AS stopped_by
    FROM data_quality
),

final AS (
    SELECT
        practice_code, patient_id, index_date, age,
        registered, alive, working_age,
        c1, c2, c3, chronic_pain,
        employment_category, employment_date, employment_categories, not_in_work,
        dementia, palliative, opt_out, already_invited, do_not_contact, screened_out,
        dq_reason, stopped_by, stopped_by IS NULL AS invited,
        -- Ranking within capacity (sql/invitations/candidates.sql): the study's
        -- score is 0 until the study language states one; out-of-work evidence
        -- is unknown (NULL) until then.
        CAST(0 AS INTEGER) AS score,
        CAST(NULL AS BOOLEAN) AS out_of_work_evidence
    FROM decided
)

SELECT * FROM final
ORDER BY practice_code, patient_id;

-- sql/study/evidence.sql
-- Why each patient who reached the chronic-pain step (registered, alive, working
-- age on D) was invited or not, record by record, so that a question months later
-- ("why was I written to?", "why not me?") is answered from the run itself:
-- the events or issues behind each route that held, the employment-status
-- records, exclusion records, ledger and do-not-contact matches, and the decision.
CREATE OR REPLACE TABLE evidence AS
WITH
reached AS (
    -- Patients the chronic-pain rules were applied to.
    SELECT * FROM population WHERE registered AND alive AND working_age
),

records AS (
    -- Their coded records on or before D (study_records), with the rule windows.
    SELECT r.*, p.c1, p.c2, p.c3
    FROM study_records AS r
    INNER JOIN reached AS p ON p.practice_code = r.practice_code AND p.patient_id = r.patient_id
),

route_records AS (
    -- The records that made each route hold: every record counted in its window.
    SELECT *, 'c1' AS rule, true AS in_window FROM records
    WHERE c1 AND role = 'chronic_pain_conditions' AND days_before <= $c1_window_days
    UNION ALL
    SELECT *, 'c2' AS rule, true AS in_window FROM records
    WHERE c2 AND role = 'chronic_pain_diagnosis' AND days_before <= $c2_window_days
    UNION ALL
    SELECT *, 'c3' AS rule, true AS in_window FROM records
    WHERE c3 AND role = 'pain_medications' AND days_before <= $c3_window_days
),

employment_window AS (
    -- The employment-status records on the latest date within the window (the ones the rule used).
    SELECT *, 'employment' AS rule, true AS in_window FROM records
    WHERE role = 'employment_status' AND days_before <= $employment_window_days
    QUALIFY record_date = max(record_date) OVER (PARTITION BY practice_code, patient_id)
),

employment_ever AS (
    -- The most recent employment-status records ever on or before D, inside the
    -- window or not ("the most recent, employed, was outside the window").
    SELECT *, 'employment_ever' AS rule, days_before <= $employment_window_days AS in_window FROM records
    WHERE role = 'employment_status'
    QUALIFY record_date = max(record_date) OVER (PARTITION BY practice_code, patient_id)
),

exclusion_records AS (
    -- Every dementia, palliative-care, opt-out and opt-out-withdrawn record on or before D.
    SELECT
        *,
        CASE role
            WHEN 'dementia' THEN 'dementia'
            WHEN 'palliative_care' THEN 'palliative'
            WHEN 'research_opt_out' THEN 'opt_out'
            ELSE 'opt_out_withdrawn'
        END AS rule,
        NULL::BOOLEAN AS in_window
    FROM records
    WHERE role IN ('dementia', 'palliative_care', 'research_opt_out', 'research_opt_out_withdrawn')
),

coded_evidence AS (
    -- The four record sets share one column order (records.*, rule, in_window),
    -- so a plain positional UNION ALL (portable to Spark SQL and Trino) suffices.
    SELECT
        practice_code, patient_id, rule, record_date, coding_system, code, term, codelist, version,
        category, role, source, in_window, NULL::VARCHAR AS detail
    FROM (
        SELECT * FROM route_records
        UNION ALL SELECT * FROM employment_window
        UNION ALL SELECT * FROM employment_ever
        UNION ALL SELECT * FROM exclusion_records
    )
),

ledger_matches AS (
    -- Earlier invitations to this study that match: by practice and patient id,
    -- or else by NHS number (an invitation from another practice).
    SELECT p.practice_code, p.patient_id, i.invite_ref, i.run_id, 'practice and patient id' AS matched_by
    FROM reached AS p
    INNER JOIN prior_invitations AS i ON i.practice_code = p.practice_code AND i.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, i.invite_ref, i.run_id, 'NHS number' AS matched_by
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN prior_invitations AS i ON cf_nhs(i.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(i.practice_code = p.practice_code AND i.patient_id = p.patient_id, false)
),

dnc_matches AS (
    -- Do-not-contact entries that match: by practice and patient id, or else by NHS number.
    SELECT p.practice_code, p.patient_id, d.reason, 'practice and patient id' AS matched_by
    FROM reached AS p
    INNER JOIN do_not_contact AS d ON d.practice_code = p.practice_code AND d.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, d.reason, 'NHS number' AS matched_by
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN do_not_contact AS d ON cf_nhs(d.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(d.practice_code = p.practice_code AND d.patient_id = p.patient_id, false)
),

screened_matches AS (
    -- Earlier GP screening exclusions for this study that match: by practice and
    -- patient id, or else by NHS number.
    SELECT p.practice_code, p.patient_id, s.run_id, s.reason, 'practice and patient id' AS matched_by
    FROM reached AS p
    INNER JOIN screened_out AS s ON s.practice_code = p.practice_code AND s.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, s.run_id, s.reason, 'NHS number' AS matched_by
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN screened_out AS s ON cf_nhs(s.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(s.practice_code = p.practice_code AND s.patient_id = p.patient_id, false)
),

list_evidence AS (
    SELECT
        practice_code, patient_id, 'already_invited' AS rule, NULL::DATE AS record_date,
        NULL AS coding_system, invite_ref AS code, NULL AS term, NULL AS codelist, NULL AS version,
        NULL AS category, NULL AS role, 'ledger' AS source, NULL::BOOLEAN AS in_window,
        'invited in run ' || run_id || '; matched by ' || matched_by AS detail
    FROM ledger_matches
    UNION ALL
    SELECT
        practice_code, patient_id, 'do_not_contact', NULL::DATE, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, 'do_not_contact', NULL::BOOLEAN,
        'matched by ' || matched_by || '; reason: ' || coalesce(reason, 'not given')
    FROM dnc_matches
    UNION ALL
    SELECT
        practice_code, patient_id, 'screened_out', NULL::DATE, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, 'screening', NULL::BOOLEAN,
        'excluded at screening in run ' || run_id || '; matched by ' || matched_by || '; reason: ' || reason
    FROM screened_matches
),

decision AS (
    -- One row per patient: the first rule that stopped them, or 'invited'.
    SELECT
        practice_code, patient_id, 'decision' AS rule, index_date AS record_date,
        NULL AS coding_system, NULL AS code, NULL AS term, NULL AS codelist, NULL AS version,
        coalesce(stopped_by, 'invited') AS category, NULL AS role, 'study' AS source,
        NULL::BOOLEAN AS in_window, dq_reason AS detail
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
    list_position(
        ['decision', 'c1', 'c2', 'c3', 'employment', 'employment_ever', 'dementia', 'palliative',
         'opt_out', 'opt_out_withdrawn', 'already_invited', 'do_not_contact', 'screened_out'],
        rule
    ),
    record_date, coding_system, code, detail;

-- sql/study/attrition.sql
-- How many patients remain after each rule, in the study's order, for the whole
-- run (practice_code 'ALL') and for each practice: the count a practice can
-- check against its own search. The chronic-pain step also lists how many of
-- the patients it was applied to met each route (routes overlap, so those rows
-- have no 'removed' count and do not add up).
CREATE OR REPLACE TABLE attrition AS
WITH
steps AS (
    -- The steps in order; 'step' is the stop-rule name in population.stopped_by.
    SELECT * FROM (VALUES
        (1, 0, 'extract', 'Patients in the extracts'),
        (2, 1, 'not_registered', 'Registered on the index date'),
        (3, 2, 'not_alive', 'Alive on the index date'),
        (4, 3, 'age', 'Of working age'),
        (5, 4, 'no_chronic_pain', 'With chronic pain (any route)'),
        (6, 4, 'c1', '  route C1: repeated pain conditions'),
        (7, 4, 'c2', '  route C2: chronic pain recorded'),
        (8, 4, 'c3', '  route C3: repeat pain medication'),
        (9, 5, 'in_work', 'Not known to be in work'),
        (10, 6, 'dementia', 'No dementia'),
        (11, 7, 'palliative', 'No palliative care'),
        (12, 8, 'opt_out', 'No research opt-out'),
        (13, 9, 'already_invited', 'Not already invited'),
        (14, 10, 'do_not_contact', 'Not on the do-not-contact list'),
        (15, 11, 'screened_out', 'Not screened out by a GP before'),
        (16, 12, 'data_quality', 'Not held back for data quality'),
        (17, 13, 'invited', 'Invited')
    ) AS s (row_no, step_no, step, label)
),

scopes AS (
    -- Each practice of the run, and 'ALL' for the total.
    SELECT practice_code FROM run_practices
    UNION ALL
    SELECT 'ALL' AS practice_code
),

tagged AS (
    -- Every patient twice: under their practice and under ALL.
    SELECT practice_code, stopped_by, registered AND alive AND working_age AS reached_pain, c1, c2, c3
    FROM population
    UNION ALL
    SELECT 'ALL' AS practice_code, stopped_by, registered AND alive AND working_age AS reached_pain, c1, c2, c3
    FROM population
),

removed AS (
    SELECT practice_code, stopped_by AS step, count(*) AS removed
    FROM tagged
    WHERE stopped_by IS NOT NULL
    GROUP BY practice_code, stopped_by
),

routes AS (
    -- Patients reaching the chronic-pain step who met each route.
    SELECT practice_code, step, count(*) AS met
    FROM (
        SELECT practice_code, 'c1' AS step FROM tagged WHERE reached_pain AND c1
        UNION ALL
        SELECT practice_code, 'c2' AS step FROM tagged WHERE reached_pain AND c2
        UNION ALL
        SELECT practice_code, 'c3' AS step FROM tagged WHERE reached_pain AND c3
    )
    GROUP BY practice_code, step
),

totals AS (
    SELECT practice_code, count(*) AS total FROM tagged GROUP BY practice_code
),

counted AS (
    SELECT
        sc.practice_code, s.row_no, s.step_no, s.step, s.label,
        coalesce(t.total, 0) AS total,
        CASE WHEN s.step IN ('c1', 'c2', 'c3') THEN 0 ELSE coalesce(r.removed, 0) END AS removed,
        coalesce(rt.met, 0) AS met
    FROM scopes AS sc
    CROSS JOIN steps AS s
    LEFT JOIN totals AS t ON t.practice_code = sc.practice_code
    LEFT JOIN removed AS r ON r.practice_code = sc.practice_code AND r.step = s.step
    LEFT JOIN routes AS rt ON rt.practice_code = sc.practice_code AND rt.step = s.step
),

final AS (
    SELECT
        practice_code, row_no, step_no, step, label,
        CASE
            WHEN step IN ('c1', 'c2', 'c3') THEN met
            ELSE total - sum(removed) OVER (PARTITION BY practice_code ORDER BY row_no)
        END AS remaining,
        CASE WHEN step IN ('c1', 'c2', 'c3') THEN NULL ELSE removed END AS removed
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

-- sql/study/cleanup.sql
-- Drop the study's working tables; population, evidence, attrition and quarantine stay.
DROP TABLE IF EXISTS study_records;
