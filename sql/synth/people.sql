-- One synthetic practice's people: everyone ever registered, with their registration,
-- death, and the latent state (pain, work, wishes) that their record may or may not
-- show. g numbers the patient across the whole synthetic extract and keys every
-- draw, so a patient is the same whatever else is generated.
-- Parameters: $seed, $first_g (g of the first patient), $size, $extract_date.
CREATE OR REPLACE TEMP TABLE people AS
WITH ids AS (
    SELECT i AS local_no, $first_g::BIGINT + i AS g, $seed::BIGINT AS s, $extract_date::DATE AS e
    FROM range($size::BIGINT) t(i)
),
aged AS (
    SELECT ids.*, a.age_lo + sy_int(sy_u(s, g, 'age2'), a.width)::INTEGER AS age
    FROM ids JOIN sy_age_slots a ON a.slot = sy_int(sy_u(s, g, 'age1'), 1000)
),
born AS (
    SELECT *,
        CASE
            WHEN sy_u(s, g, 'sex') < 0.0004 THEN 'U'
            WHEN sy_u(s, g, 'sex') < 0.0006 THEN 'I'
            WHEN sy_u(s, g, 'sex') < 0.0006 + CASE WHEN age >= 80 THEN 0.6 WHEN age >= 65 THEN 0.53 ELSE 0.5 END THEN 'F'
            ELSE 'M'
        END AS sex,
        CAST(e - to_years(age) AS DATE) - sy_int(sy_u(s, g, 'dob'), 365)::INTEGER AS date_of_birth,
        CASE WHEN age < 50 THEN 0.003 WHEN age < 65 THEN 0.015 WHEN age < 75 THEN 0.04
             WHEN age < 85 THEN 0.10 ELSE 0.22 END AS p_death,
        CASE WHEN age BETWEEN 18 AND 39 THEN 0.14 ELSE 0.07 END AS p_left
    FROM aged
),
lived AS (  -- died, left the practice, or still registered; the record ends on end_date
    SELECT *,
        CASE WHEN sy_u(s, g, 'died') < p_death THEN 'died'
             WHEN sy_u(s, g, 'left') < p_left THEN 'left'
             ELSE 'registered' END AS status,
        least(e, greatest(date_of_birth, e - sy_int(sy_u(s, g, 'end'), 3650)::INTEGER)) AS left_on
    FROM born
),
registered AS (
    SELECT *,
        CASE WHEN status = 'registered' THEN e ELSE left_on END AS end_date,
        sy_u(s, g, 'from_birth') < CASE WHEN age < 5 THEN 0.8 ELSE 0.25 END AS from_birth
    FROM lived
),
record AS (
    SELECT *,
        CASE WHEN from_birth THEN least(end_date, date_of_birth + sy_int(sy_u(s, g, 'reg'), 60)::INTEGER)
             ELSE greatest(date_of_birth, end_date - floor(sy_exp(sy_u(s, g, 'reg')) * 3650)::INTEGER)
        END AS registration_date,
        CASE WHEN status = 'died' THEN left_on END AS date_of_death,
        CASE WHEN status = 'left' THEN left_on
             WHEN status = 'died' AND sy_u(s, g, 'dereg') >= 0.05
                 THEN least(e, left_on + sy_int(sy_u(s, g, 'dereg_lag'), 30)::INTEGER)
        END AS deregistration_date
    FROM registered
),
windows AS (  -- history shown in the record: at most 20 years of events, 6 of issues
    SELECT *,
        greatest(registration_date, end_date - 7305) AS hist_from,
        greatest(registration_date, end_date - 2191) AS meds_from
    FROM record
),
pain AS (
    SELECT *,
        sy_u(s, g, 'pain') < CASE WHEN age < 18 THEN 0.02 WHEN age < 30 THEN 0.16 WHEN age < 45 THEN 0.26
                                   WHEN age < 65 THEN 0.36 ELSE 0.45 END AS in_pain,
        e - (90 + floor(sy_exp(sy_u(s, g, 'pain_onset')) * 4 * 365))::INTEGER AS pain_onset
    FROM windows
),
pain_record AS (  -- what the record shows of pain: current, resolved, or a one-off episode
    SELECT *,
        in_pain AND sy_u(s, g, 'pain_coded') < 0.65 AS pain_coded,
        NOT in_pain AND age >= 18 AND sy_u(s, g, 'pain_past') < 0.07 AS pain_past,
        e - (365 + sy_int(sy_u(s, g, 'past_end'), 7 * 365))::INTEGER AS past_end,
        NOT in_pain AND age >= 16 AND sy_u(s, g, 'pain_acute') < 0.10 AS pain_acute
    FROM pain
),
pain_detail AS (
    SELECT *,
        pain_coded AND sy_u(s, g, 'pain_dx') < 0.3 AS pain_dx,
        in_pain AND sy_u(s, g, 'pain_meds') < CASE WHEN pain_coded THEN 0.55 ELSE 0.2 END AS pain_meds,
        pain_past AND sy_u(s, g, 'past_meds') < 0.35 AS past_meds,
        greatest(pain_onset, hist_from) AS pain_from,
        greatest(past_end - 120 - sy_int(sy_u(s, g, 'past_len'), 700)::INTEGER, hist_from) AS past_from,
        least(past_end, end_date) AS past_to
    FROM pain_record
),
work_shares AS (  -- shares of students or retired, and of people in work, by age
    SELECT *,
        CASE WHEN age < 18 THEN 0.9 WHEN age < 25 THEN 0.35 WHEN age < 55 THEN 0.02
             WHEN age < 65 THEN 0.15 WHEN age < 75 THEN 0.85 ELSE 1.0 END AS p_out,
        CASE WHEN age < 18 THEN 0.08 WHEN age < 25 THEN 0.5 WHEN age < 55 THEN 0.8
             WHEN age < 65 THEN 0.65 WHEN age < 75 THEN 0.13 ELSE 0.0 END
            * CASE WHEN in_pain THEN 0.75 ELSE 1.0 END AS p_work
    FROM pain_detail
),
work AS (
    SELECT *,
        CASE WHEN age < 16 THEN 'child'
             WHEN sy_u(s, g, 'work') < p_out THEN CASE WHEN age < 55 THEN 'student' ELSE 'retired' END
             WHEN sy_u(s, g, 'work') < p_out + p_work THEN 'employed'
             ELSE 'unemployed' END AS employment
    FROM work_shares
),
wishes AS (
    SELECT *,
        CASE WHEN employment = 'unemployed' THEN 1 + floor(sy_exp(sy_u(s, g, 'months')) * 30)::INTEGER END
            AS unemployed_months,
        employment = 'unemployed' AND in_pain AND sy_u(s, g, 'by_pain') < 0.6 AS unemployed_due_to_pain,
        CASE employment
            WHEN 'unemployed' THEN sy_u(s, g, 'wants') < CASE WHEN in_pain THEN 0.4 ELSE 0.5 END
            WHEN 'student' THEN sy_u(s, g, 'wants') < 0.3
            WHEN 'retired' THEN sy_u(s, g, 'wants') < 0.03
        END AS wants_work,
        employment = 'unemployed' AND sy_u(s, g, 'ips') < 0.004 AS had_ips
    FROM work
),
coded_work AS (  -- sparse employment-status codes, some of them out of date
    SELECT *,
        sy_u(s, g, 'emp_coded') < CASE employment WHEN 'employed' THEN 0.06 WHEN 'unemployed' THEN 0.12
                                                  WHEN 'retired' THEN 0.20 ELSE 0 END AS emp_coded,
        CASE WHEN sy_u(s, g, 'emp_stale') < 0.8 THEN employment
             WHEN employment = 'employed' THEN 'unemployed' ELSE 'employed' END AS emp_category,
        sy_day(sy_u(s, g, 'emp_date'), greatest(hist_from, end_date - 6 * 365), end_date) AS emp_date
    FROM wishes
),
exclusions AS (
    SELECT *,
        sy_u(s, g, 'dementia') < CASE WHEN age < 40 THEN 0 WHEN age < 50 THEN 0.0005 WHEN age < 65 THEN 0.003
                                      WHEN age < 75 THEN 0.03 WHEN age < 85 THEN 0.10 ELSE 0.20 END AS dementia,
        sy_u(s, g, 'palliative') < CASE WHEN status = 'died' THEN 0.3 WHEN age >= 75 THEN 0.01 ELSE 0.001 END
            AS palliative,
        sy_u(s, g, 'opt_out') < CASE WHEN age >= 18 THEN 0.03 ELSE 0.01 END AS opted_out,
        sy_day(sy_u(s, g, 'opt_date'), greatest(registration_date, end_date - 11 * 365), end_date) AS opt_date
    FROM coded_work
),
final AS (
    SELECT *,
        opted_out AND end_date - opt_date >= 2 AND sy_u(s, g, 'withdrawn') < 0.08 AS opt_withdrawn,
        NOT dementia AND sy_u(s, g, 'consent') >= 0.015 AS can_consent,
        (1000 + local_no * 7 + sy_int(sy_u(s, g, 'id'), 7))::VARCHAR AS patient_id
    FROM exclusions
)
SELECT * EXCLUDE (s, e, p_death, p_left, p_out, p_work, left_on, from_birth)
FROM final
ORDER BY local_no;
