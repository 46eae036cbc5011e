-- One synthetic practice's events.csv: coded events drawn from each person's latent
-- state in `people` and `conds`. Each part below yields (g, part, k, day, pool key);
-- the code comes from sy_code_slots by pool, by the coding system the practice used
-- on that day, and by a drawn slot. A few records are dated after the extract date,
-- as in real extracts. Rows come out by patient, then date: the narrow records are
-- sorted before the codes are attached, and the generator runs each practice on one
-- thread, so the join keeps that order (sorting the wide rows costs twice as much).
-- Parameters: $seed, $extract_date, $legacy_no, $legacy_until, $read7.
WITH p AS (
    SELECT g, patient_id, hist_from, end_date, pain_from, past_from, past_to, pain_dx, pain_acute,
        emp_coded, emp_category, emp_date, dementia, palliative, opted_out, opt_date, opt_withdrawn,
        $seed::BIGINT AS s,
        floor((1.0 + age / 15.0) * (end_date - hist_from) / 365.25
              * (0.45 + 1.4 * sy_u($seed::BIGINT, g, 'n_routine')))::INTEGER AS n_routine,
        CASE WHEN pain_coded AND pain_from <= end_date
             THEN 2 + floor(sy_exp(sy_u($seed::BIGINT, g, 'n_pain')) * 4)::INTEGER ELSE 0 END AS n_pain,
        CASE WHEN pain_past AND past_from <= past_to AND sy_u($seed::BIGINT, g, 'past_coded') < 0.8
             THEN 1 + floor(sy_exp(sy_u($seed::BIGINT, g, 'n_past')) * 2.5)::INTEGER ELSE 0 END AS n_past
    FROM people
),
routine AS (  -- blood pressure, weight, smoking, reviews, minor illness
    SELECT g, patient_id, s, 1 AS part, k, sy_day(sy_u5(s, g, 1, k, 1), hist_from, end_date) AS day,
        sy_pool_key('routine') AS pool_key
    FROM (SELECT g, patient_id, s, hist_from, end_date, unnest(range(n_routine)) AS k FROM p)
),
condition AS (  -- a diagnosis, then roughly yearly reviews, of each long-term condition
    SELECT g, patient_id, s, part, k,
        CASE WHEN k = 0 THEN onset ELSE sy_day(sy_u5(s, g, part, k, 1), onset, end_date) END AS day,
        pool_key
    FROM (
        SELECT g, patient_id, $seed::BIGINT AS s, 100 + cond_no AS part, onset, end_date,
            sy_pool_key(pool) AS pool_key,
            unnest(range(1 + floor((end_date - onset) / 365.25 * 0.7)::INTEGER)) AS k
        FROM conds
    )
),
pain AS (  -- current chronic pain: repeated pain-condition codes since it began
    SELECT g, patient_id, s, 2 AS part, k, sy_day(sy_u5(s, g, 2, k, 1), pain_from, end_date) AS day,
        sy_pool_key('chronic_pain_conditions') AS pool_key
    FROM (SELECT g, patient_id, s, pain_from, end_date, unnest(range(n_pain)) AS k FROM p)
),
pain_dx AS (  -- chronic pain written down as such
    SELECT g, patient_id, s, 3 AS part, 0 AS k,
        sy_day(sy_u(s, g, 'pain_dx_day'), least(pain_from + 90, end_date), end_date) AS day,
        sy_pool_key('chronic_pain_diagnosis') AS pool_key
    FROM p WHERE pain_dx AND pain_from <= end_date
),
pain_past AS (  -- pain that has since resolved
    SELECT g, patient_id, s, 4 AS part, k, sy_day(sy_u5(s, g, 4, k, 1), past_from, past_to) AS day,
        sy_pool_key('chronic_pain_conditions') AS pool_key
    FROM (SELECT g, patient_id, s, past_from, past_to, unnest(range(n_past)) AS k FROM p)
),
pain_acute AS (  -- a single episode of back pain or the like
    SELECT g, patient_id, s, 5 AS part, 0 AS k, sy_day(sy_u(s, g, 'acute_day'), hist_from, end_date) AS day,
        sy_pool_key('chronic_pain_conditions') AS pool_key
    FROM p WHERE pain_acute
),
employment AS (
    SELECT g, patient_id, s, 6 AS part, 0 AS k, emp_date AS day,
        sy_pool_key('employment_status/' || emp_category) AS pool_key
    FROM p WHERE emp_coded AND emp_category IN ('employed', 'unemployed', 'retired')
),
dementia AS (
    SELECT g, patient_id, s, 7 AS part, k,
        sy_day(sy_u5(s, g, 7, k, 1), greatest(hist_from, end_date - 6 * 365), end_date) AS day,
        sy_pool_key('dementia') AS pool_key
    FROM (SELECT *, unnest(range(1 + sy_int(sy_u(s, g, 'n_dementia'), 3))) AS k FROM p WHERE dementia)
),
palliative AS (
    SELECT g, patient_id, s, 8 AS part, 0 AS k,
        sy_day(sy_u(s, g, 'palliative_day'), greatest(hist_from, end_date - 365), end_date) AS day,
        sy_pool_key('palliative_care') AS pool_key
    FROM p WHERE palliative
),
opt_out AS (  -- type 1 opt-out, and now and then its withdrawal later on
    SELECT g, patient_id, s, 9 AS part, 0 AS k, opt_date AS day, sy_pool_key('research_opt_out') AS pool_key
    FROM p WHERE opted_out
    UNION ALL
    SELECT g, patient_id, s, 10, 0, sy_day(sy_u(s, g, 'withdrawn_day'), opt_date + 1, end_date),
        sy_pool_key('research_opt_out_withdrawn')
    FROM p WHERE opt_withdrawn
),
records AS (
    SELECT * FROM routine UNION ALL SELECT * FROM condition UNION ALL SELECT * FROM pain
    UNION ALL SELECT * FROM pain_dx UNION ALL SELECT * FROM pain_past UNION ALL SELECT * FROM pain_acute
    UNION ALL SELECT * FROM employment UNION ALL SELECT * FROM dementia UNION ALL SELECT * FROM palliative
    UNION ALL SELECT * FROM opt_out
),
sorted AS (
    SELECT * FROM records ORDER BY g, day, part, k
),
coded AS (
    SELECT r.*, c.coding_system, c.code, c.value_lo, c.value_hi, c.decimals
    FROM sorted r JOIN sy_code_slots c
        ON c.key = sy_slot_key(
            r.pool_key,
            sy_system_no(r.day, $legacy_no, $legacy_until::DATE),
            sy_int(sy_u5(r.s, r.g, r.part, r.k, 2), 240))
),
final AS (
    SELECT g, part, k, patient_id,
        CASE WHEN sy_u5(s, g, part, k, 3) < 0.0004
             THEN $extract_date::DATE + 1 + sy_int(sy_u5(s, g, part, k, 4), 400)::INTEGER
             ELSE day END AS event_date,
        coding_system,
        CASE WHEN $read7 AND coding_system = 'readv2' THEN code || '00' ELSE code END AS code,
        round(value_lo + (value_hi - value_lo) * sy_u5(s, g, part, k, 5), decimals::INTEGER) AS value
    FROM coded
)
SELECT patient_id, event_date, coding_system, code, value
FROM final
