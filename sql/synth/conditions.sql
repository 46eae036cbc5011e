-- Each person's unrelated long-term conditions (hypertension, asthma, …) and when each
-- started; they give the record diagnosis and review codes and repeat prescriptions.
-- Prevalence by age and sex comes from sy_conditions (pipeline/synth/codes.py).
CREATE OR REPLACE TEMP TABLE conds AS
WITH candidates AS (
    SELECT p.g, p.patient_id, p.age, p.hist_from, p.meds_from, p.end_date, $seed::BIGINT AS s, c.*
    FROM people p CROSS JOIN sy_conditions c
    WHERE p.age >= c.min_age AND (NOT c.female_only OR p.sex = 'F')
),
present AS (
    SELECT * FROM candidates
    WHERE sy_u5(s, g, cond_no, 0, 'has') < sy_by_age(age, p_age20, p_age80)
)
SELECT g, patient_id, cond_no, pool, repeat_days, meds_from, end_date,
    greatest(hist_from, end_date - floor(sy_exp(sy_u5(s, g, cond_no, 0, 'onset')) * 6 * 365)::INTEGER) AS onset
FROM present
ORDER BY g, cond_no;
