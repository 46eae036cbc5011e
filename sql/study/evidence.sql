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
    record_date, coding_system, code, detail
