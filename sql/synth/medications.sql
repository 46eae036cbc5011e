-- One synthetic practice's medications.csv: prescription issues over the last six
-- years of each record. Repeat courses (a long-term condition's drug, an analgesic
-- for chronic or past pain) are issued every `every` days with a few days' slack;
-- acute issues are scattered. The drug comes from sy_drug_slots by pool and slot,
-- drawn once per course so a repeat keeps its drug. Rows come out by patient, then
-- date (sorted before the drugs are attached; see events.sql).
-- Parameters: $seed, $extract_date, $med_system ('dmd' or 'bnf'), and the rates of
-- pipeline/synth/rates.py ($metformin_t2d, $insulin_t2d).
WITH p AS (
    SELECT g, patient_id, meds_from, end_date, pain_from, past_from, past_meds_to, pain_meds, past_meds,
        pain_coded, pain_acute, pain_past, acute_course, $seed::BIGINT AS s
    FROM people
),
pain_courses AS (
    SELECT *,
        greatest(meds_from, pain_from + sy_int(sy_u(s, g, 'pain_start'), 365)::INTEGER) AS start_on
    FROM p WHERE pain_meds
),
courses AS (  -- g, part, pool, first issue, last possible issue, interval in days
    SELECT g, patient_id, $seed::BIGINT AS s, 100 + cond_no AS part, pool, greatest(onset, meds_from) AS start_on,
        CASE WHEN sy_u5($seed::BIGINT, g, cond_no, 0, 'stopped') < $condition_drug_stopped
             THEN sy_day(sy_u5($seed::BIGINT, g, cond_no, 0, 'stop_day'), greatest(onset, meds_from), end_date)
             ELSE end_date END AS stop_on,
        repeat_days AS every, end_date
    FROM conds
    WHERE pool <> 'condition/diabetes' OR sy_u5($seed::BIGINT, g, cond_no, 0, 'metformin') < $metformin_t2d
    UNION ALL
    SELECT g, patient_id, $seed::BIGINT, 6, 'insulin',
        greatest(meds_from, onset + sy_int(sy_u($seed::BIGINT, g, 'insulin_from'), greatest(end_date - onset, 1))::INTEGER),
        end_date, 56, end_date
    FROM conds
    WHERE pool = 'condition/diabetes' AND sy_u($seed::BIGINT, g, 'insulin') < $insulin_t2d
    UNION ALL
    SELECT g, patient_id, s, 1, 'pain_medications', start_on,
        CASE WHEN sy_u(s, g, 'pain_ongoing') < $pain_meds_ongoing THEN end_date
             ELSE least(end_date, start_on + 90 + sy_int(sy_u(s, g, 'pain_course'), 700)::INTEGER) END,
        28, end_date
    FROM pain_courses
    UNION ALL
    SELECT g, patient_id, s, 2, 'pain_medications', greatest(meds_from, pain_from), end_date, 28, end_date
    FROM p WHERE pain_meds AND sy_u(s, g, 'second_drug') < $pain_second_drug
    UNION ALL
    SELECT g, patient_id, s, 3, 'pain_medications', greatest(past_from, meds_from), past_meds_to, 28, end_date
    FROM p WHERE past_meds
    UNION ALL  -- a short course for an injury or operation: three to five issues four weeks apart
    SELECT g, patient_id, s, 7, 'pain_medications', start_on,
        start_on + 28 * (2 + sy_int(sy_u(s, g, 'course_len'), 3))::INTEGER, 28, end_date
    FROM (SELECT *, sy_day(sy_u(s, g, 'course_day'), meds_from, end_date) AS start_on FROM p WHERE acute_course)
),
repeats AS (
    SELECT g, patient_id, s, part, k, drug_key, 'repeat' AS issue_type,
        least(end_date, stop_on, start_on + (k * every)::INTEGER + sy_int(sy_u5(s, g, part, k, 1), 7)::INTEGER) AS day
    FROM (
        SELECT g, patient_id, s, part, start_on, stop_on, every, end_date,
            sy_slot_key(sy_pool_key(pool), 0, sy_int(sy_u5(s, g, part, 0, 2), 240)) AS drug_key,
            unnest(range(floor((stop_on - start_on) / every)::INTEGER + 1)) AS k
        FROM courses WHERE start_on <= stop_on
    )
),
acute AS (  -- analgesics for pain episodes; antibiotics and the like for anyone
    SELECT g, patient_id, s, 4 AS part, k,
        sy_slot_key(sy_pool_key('acute_analgesic'), 0, sy_int(sy_u5(s, g, 4, k, 2), 240)) AS drug_key,
        'acute' AS issue_type, sy_day(sy_u5(s, g, 4, k, 1), meds_from, end_date) AS day
    FROM (SELECT g, patient_id, s, meds_from, end_date, unnest(range(1 + sy_int(sy_u(s, g, 'n_analgesic'), 3))) AS k
          FROM p WHERE pain_coded OR pain_acute OR pain_past)
    UNION ALL
    SELECT g, patient_id, s, 5, k, sy_slot_key(sy_pool_key('acute'), 0, sy_int(sy_u5(s, g, 5, k, 2), 240)),
        'acute', sy_day(sy_u5(s, g, 5, k, 1), meds_from, end_date)
    FROM (SELECT g, patient_id, s, meds_from, end_date,
              unnest(range(floor(sy_exp(sy_u(s, g, 'n_acute')) * (end_date - meds_from) / 365.25 * 0.6)::INTEGER)) AS k
          FROM p)
),
sorted AS (
    SELECT * FROM (SELECT * FROM repeats UNION ALL SELECT * FROM acute) ORDER BY g, day, part, k
),
drugs AS (
    SELECT i.*, d.dmd, d.bnf, d.quantity
    FROM sorted i JOIN sy_drug_slots d ON d.key = i.drug_key
),
final AS (
    SELECT g, part, k, patient_id,
        CASE WHEN sy_u5(s, g, part, k, 3) < $future_issue
             THEN $extract_date::DATE + 1 + sy_int(sy_u5(s, g, part, k, 4), 200)::INTEGER
             ELSE day END AS issue_date,
        CASE WHEN $med_system = 'bnf' AND bnf IS NOT NULL OR dmd IS NULL THEN 'bnf' ELSE 'dmd' END AS coding_system,
        CASE WHEN $med_system = 'bnf' AND bnf IS NOT NULL OR dmd IS NULL THEN bnf ELSE dmd END AS code,
        CASE WHEN sy_u5(s, g, part, k, 5) >= $issue_type_missing THEN issue_type END AS issue_type,
        quantity
    FROM drugs
)
SELECT patient_id, issue_date, coding_system, code, issue_type, quantity
FROM final
