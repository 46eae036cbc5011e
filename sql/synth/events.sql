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
        emp_coded, emp_category, emp_date, emp_before, emp_before_date, prev_status, status_since,
        benefit_coded, benefit_date, run_from, run_days, long_absence, absence_from, absence_days, absence_back,
        n_episodes, pain_offlist, dementia, palliative, opted_out, opt_date, opt_withdrawn,
        $seed::BIGINT AS s,
        floor((1.0 + age / 15.0) * (end_date - hist_from) / 365.25
              * (0.45 + 1.4 * sy_u($seed::BIGINT, g, 'n_routine')))::INTEGER AS n_routine,
        CASE WHEN pain_coded AND pain_from <= end_date
             THEN 2 + floor(sy_exp(sy_u($seed::BIGINT, g, 'n_pain')) * 4)::INTEGER ELSE 0 END AS n_pain,
        CASE WHEN past_coded AND past_from <= past_to
             THEN 1 + floor(sy_exp(sy_u($seed::BIGINT, g, 'n_past')) * 2.5)::INTEGER ELSE 0 END AS n_past,
        CASE WHEN pain_offlist AND pain_from <= end_date
             THEN 2 + floor(sy_exp(sy_u($seed::BIGINT, g, 'n_offlist')) * 4)::INTEGER ELSE 0 END AS n_offlist
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
employment AS (  -- the present work status, sometimes miskeyed (people.sql)
    SELECT g, patient_id, s, 6 AS part, 0 AS k, emp_date AS day,
        sy_pool_key('employment_status/' || emp_category) AS pool_key
    FROM p WHERE emp_coded AND emp_category IN ('employed', 'unemployed', 'retired', 'student', 'long_term_sick')
),
employment_before AS (  -- a stale code: the status before the present one
    SELECT g, patient_id, s, 11 AS part, 0 AS k, emp_before_date AS day,
        sy_pool_key('employment_status/' || prev_status) AS pool_key
    FROM p WHERE emp_before
),
pain_offlist AS (  -- chronic pain coded outside the study's lists
    SELECT g, patient_id, s, 12 AS part, k, sy_day(sy_u5(s, g, 12, k, 1), pain_from, end_date) AS day,
        sy_pool_key('pain_offlist') AS pool_key
    FROM (SELECT g, patient_id, s, pain_from, end_date, unnest(range(n_offlist)) AS k FROM p)
),
benefit AS (  -- an out-of-work benefit or long-term-sickness code
    SELECT g, patient_id, s, 13 AS part, 0 AS k, benefit_date AS day, sy_pool_key('out_of_work_benefits') AS pool_key
    FROM p WHERE benefit_coded
),
fit_runs AS (  -- 'not fit for work' notes every four to eight weeks through a run
    SELECT g, patient_id, s, 14 AS part, k,
        least(end_date, run_from + (42 * k)::INTEGER + sy_int(sy_u5(s, g, 14, k, 1), 14)::INTEGER) AS day,
        CASE WHEN sy_u5(s, g, 14, k, 6) < $fitnote_generic THEN sy_pool_key('fit_note/other')
             ELSE sy_pool_key('fit_note/not_fit') END AS pool_key
    FROM (SELECT g, patient_id, s, run_from, end_date,
              unnest(range(1 + floor(greatest(least(run_days, end_date - run_from), 0) / 42)::INTEGER)) AS k
          FROM p WHERE run_from IS NOT NULL AND run_from <= end_date)
    WHERE sy_u5(s, g, 14, k, 7) < $fitnote_coded
),
absence AS (  -- long sick leave from a job, and for some a phased return or 'may be fit' note
    SELECT g, patient_id, s, 15 AS part, k,
        least(end_date, absence_from + (42 * k)::INTEGER + sy_int(sy_u5(s, g, 15, k, 1), 14)::INTEGER) AS day,
        sy_pool_key('fit_note/not_fit') AS pool_key
    FROM (SELECT g, patient_id, s, absence_from, end_date,
              unnest(range(1 + floor(absence_days / 42)::INTEGER)) AS k
          FROM p WHERE long_absence AND absence_from <= end_date)
    WHERE sy_u5(s, g, 15, k, 7) < $fitnote_coded
    UNION ALL
    SELECT g, patient_id, s, 16, 0, absence_from + absence_days,
        CASE WHEN sy_u(s, g, 'back_kind') < 0.5 THEN sy_pool_key('fit_note/adjustment')
             ELSE sy_pool_key('fit_note/may_be_fit') END
    FROM p WHERE long_absence AND absence_back AND absence_from + absence_days <= end_date
),
episodes AS (  -- short sickness absence: one or two 'not fit' notes, some ending 'may be fit'
    SELECT g, patient_id, s, 17 AS part, 10 * k + j AS k, start_on + (14 * j)::INTEGER AS day,
        CASE WHEN j = 2 THEN CASE WHEN sy_u5(s, g, 17, k, 3) < 0.5 THEN sy_pool_key('fit_note/adjustment')
                                  ELSE sy_pool_key('fit_note/may_be_fit') END
             WHEN sy_u5(s, g, 17, k, 6) < $fitnote_generic THEN sy_pool_key('fit_note/other')
             ELSE sy_pool_key('fit_note/not_fit') END AS pool_key
    FROM (
        SELECT *, unnest(CASE WHEN sy_u5(s, g, 17, k, 4) < $return_with_may_be_fit THEN [0, 1, 2]
                              WHEN sy_u5(s, g, 17, k, 5) < 0.5 THEN [0, 1] ELSE [0] END) AS j
        FROM (SELECT g, patient_id, s, end_date, k,
                  sy_day(sy_u5(s, g, 17, k, 1), greatest(hist_from, end_date - 3 * 365), end_date - 30) AS start_on
              FROM (SELECT *, unnest(range(n_episodes)) AS k FROM p WHERE n_episodes > 0))
    )
    WHERE start_on + (14 * j)::INTEGER <= end_date
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
diabetes_tests AS (  -- HbA1c twice a year and eGFR once a year after type 2 diabetes is diagnosed
    SELECT g, patient_id, $seed::BIGINT AS s, part, k,
        least(end_date, onset + (every * k)::INTEGER + sy_int(sy_u5($seed::BIGINT, g, part, k, 1), 30)::INTEGER) AS day,
        sy_pool_key(CASE part WHEN 18 THEN 'hba1c' ELSE 'egfr' END) AS pool_key
    FROM (
        SELECT c.g, c.patient_id, greatest(c.onset, p.hist_from) AS onset, c.end_date, t.part, t.every,
            unnest(range(1 + floor((c.end_date - greatest(c.onset, p.hist_from)) / t.every)::INTEGER)) AS k
        FROM conds c JOIN p ON p.g = c.g
        CROSS JOIN (VALUES (18, 182), (19, 365)) t(part, every)
        WHERE c.pool = 'condition/diabetes'
    )
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
    UNION ALL SELECT * FROM opt_out UNION ALL SELECT * FROM employment_before UNION ALL SELECT * FROM pain_offlist
    UNION ALL SELECT * FROM benefit UNION ALL SELECT * FROM fit_runs UNION ALL SELECT * FROM absence
    UNION ALL SELECT * FROM episodes UNION ALL SELECT * FROM diabetes_tests
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
        CASE WHEN sy_u5(s, g, part, k, 3) < $future_event
             THEN $extract_date::DATE + 1 + sy_int(sy_u5(s, g, part, k, 4), 400)::INTEGER
             ELSE day END AS event_date,
        coding_system,
        CASE WHEN $read7 AND coding_system = 'readv2' THEN code || '00' ELSE code END AS code,
        CASE part
            WHEN 18 THEN round(greatest(28, $hba1c_mean_t2d
                + $hba1c_sd_t2d * sy_normal(sy_u(s, g, 'a1c_1'), sy_u(s, g, 'a1c_2'))
                + $hba1c_sd_within * sy_normal(sy_u5(s, g, part, k, 5), sy_u5(s, g, part, k, 6))))
            WHEN 19 THEN round(least(120, greatest(5, CASE
                WHEN sy_u(s, g, 'egfr') < $egfr_under30_t2d THEN 15 + 14 * sy_u(s, g, 'egfr_at')
                WHEN sy_u(s, g, 'egfr') < $egfr_under30_t2d + $egfr_ckd3_t2d THEN 30 + 29 * sy_u(s, g, 'egfr_at')
                ELSE 60 + 40 * sy_u(s, g, 'egfr_at') END + 4 * sy_normal(sy_u5(s, g, part, k, 5), sy_u5(s, g, part, k, 6)))))
            ELSE round(value_lo + (value_hi - value_lo) * sy_u5(s, g, part, k, 5), decimals::INTEGER)
        END AS value
    FROM coded
)
SELECT patient_id, event_date, coding_system, code, value
FROM final
