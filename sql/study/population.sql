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
ORDER BY practice_code, patient_id
