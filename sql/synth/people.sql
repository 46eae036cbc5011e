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
    SELECT aged.*,
        CASE
            WHEN sy_u(s, g, 'sex') < 0.0004 THEN 'U'
            WHEN sy_u(s, g, 'sex') < 0.0006 THEN 'I'
            WHEN sy_u(s, g, 'sex') < 0.0006 + CASE WHEN age >= 80 THEN 0.6 WHEN age >= 65 THEN 0.53 ELSE 0.5 END THEN 'F'
            ELSE 'M'
        END AS sex,
        CAST(e - to_years(age) AS DATE) - sy_int(sy_u(s, g, 'dob'), 365)::INTEGER AS date_of_birth,
        d.p AS p_death,
        CASE WHEN age BETWEEN 18 AND 39 THEN $left_age_18_39 ELSE $left_other END AS p_left
    FROM aged JOIN sy_death_by_age d ON aged.age BETWEEN d.age_lo AND d.age_hi
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
pain AS (  -- chronic pain now (by age), when it began, and how disabling it is
    SELECT w.*,
        sy_u(s, g, 'pain') < pa.p AS in_pain,
        e - (90 + floor(sy_exp(sy_u(s, g, 'pain_onset')) * $pain_mean_years * 365))::INTEGER AS pain_onset,
        sy_u(s, g, 'severity') < $pain_disabling_share AS disabling
    FROM windows w JOIN sy_pain_by_age pa ON w.age BETWEEN pa.age_lo AND pa.age_hi
),
pain_record AS (  -- what the record shows of pain: current (in the lists or not), resolved, one-off
    SELECT *,
        in_pain AND sy_u(s, g, 'consults') < CASE WHEN disabling THEN $pain_consults_disabling
                                                 ELSE $pain_consults_mild END AS consults,
        sy_u(s, g, 'in_list') < $pain_code_in_list AS in_list,
        NOT in_pain AND age >= 18 AND sy_u(s, g, 'pain_past') < $pain_resolved_share AS pain_past,
        e - sy_int(sy_u(s, g, 'past_end'), 8 * 365)::INTEGER AS past_end,
        sy_u(s, g, 'past_outlast') < $past_codes_outlast AS past_outlast,
        sy_u(s, g, 'past_meds_outlast') < $past_meds_outlast AS past_meds_outlast
    FROM pain
),
pain_detail AS (
    SELECT *,
        consults AND in_list AS pain_coded,
        consults AND NOT in_list AS pain_offlist,
        NOT in_pain AND NOT pain_past AND age >= 16 AND sy_u(s, g, 'pain_acute') < $acute_pain_share AS pain_acute,
        age >= 18 AND sy_u(s, g, 'acute_course') < $acute_opioid_course AS acute_course,
        greatest(pain_onset, hist_from) AS pain_from,
        greatest(past_end - (90 + floor(sy_exp(sy_u(s, g, 'past_len')) * 3 * 365))::INTEGER, hist_from) AS past_from,
        least(end_date, past_end + CASE WHEN past_outlast THEN sy_int(sy_u(s, g, 'past_extra'), 365)::INTEGER ELSE 0 END)
            AS past_to,
        least(end_date, past_end + CASE WHEN past_meds_outlast THEN sy_int(sy_u(s, g, 'meds_extra'), 365)::INTEGER ELSE 0 END)
            AS past_meds_to
    FROM pain_record
),
pain_flags AS (
    SELECT *,
        pain_coded AND sy_u(s, g, 'pain_dx') < $pain_dx_share AS pain_dx,
        in_pain AND sy_u(s, g, 'pain_meds') < CASE WHEN pain_coded THEN $pain_meds_coded ELSE $pain_meds_uncoded END
            AS pain_meds,
        pain_past AND sy_u(s, g, 'past_coded') < $past_coded AS past_coded,
        pain_past AND sy_u(s, g, 'past_meds') < $past_meds AS past_meds
    FROM pain_detail
),
work_base AS (  -- economic activity on the extract date by age band (ONS), before pain
    SELECT p.*,
        CASE WHEN p.age < 16 THEN 'child'
             WHEN u < wa.p_employed THEN 'employed'
             WHEN u < wa.p_employed + wa.p_unemployed THEN 'unemployed'
             WHEN u < wa.p_employed + wa.p_unemployed + wa.p_student THEN 'student'
             WHEN u < wa.p_employed + wa.p_unemployed + wa.p_student + wa.p_long_term_sick THEN 'long_term_sick'
             WHEN u < wa.p_employed + wa.p_unemployed + wa.p_student + wa.p_long_term_sick + wa.p_carer THEN 'carer'
             ELSE 'retired' END AS base_status
    FROM (SELECT *, sy_u(s, g, 'work') AS u FROM pain_flags) p
    LEFT JOIN sy_work_by_age wa ON p.age BETWEEN wa.age_lo AND wa.age_hi
),
pain_at_work AS (  -- a job lost through chronic pain, always after the pain began
    SELECT *,
        base_status = 'employed' AND in_pain AND age BETWEEN 16 AND 64
            AND sy_u(s, g, 'pain_job') >= CASE WHEN disabling THEN $employed_ratio_disabling
                                               ELSE $employed_ratio_mild END AS by_pain,
        e - floor(365.25 * $job_loss_median_years * exp(1.68 * sy_normal(sy_u(s, g, 'loss1'), sy_u(s, g, 'loss2'))))::INTEGER
            AS loss_drawn
    FROM work_base
),
work AS (
    SELECT *,
        CASE WHEN NOT by_pain THEN base_status
             WHEN sy_u(s, g, 'loss_kind') < $pain_job_loss_lt_sick THEN 'long_term_sick'
             ELSE 'unemployed' END AS employment,
        CASE WHEN by_pain THEN greatest(  -- never before age 16
            CAST(date_of_birth + INTERVAL 16 YEAR AS DATE),
            CASE WHEN loss_drawn > pain_onset THEN least(loss_drawn, e - 1)
                 ELSE sy_day(sy_u(s, g, 'loss_day'), pain_onset + 1, e - 1) END)
        END AS job_loss
    FROM pain_at_work
),
since AS (  -- when the present work status began (never before age 16)
    SELECT *,
        least(e, greatest(CAST(date_of_birth + INTERVAL 16 YEAR AS DATE), CASE
            WHEN by_pain THEN job_loss
            WHEN employment = 'unemployed' THEN e - 1 - floor(sy_exp(sy_u(s, g, 'since')) * $unemployed_mean_years * 365)::INTEGER
            WHEN employment = 'long_term_sick' THEN e - 1 - floor(sy_exp(sy_u(s, g, 'since')) * $lt_sick_mean_years * 365)::INTEGER
            WHEN employment = 'carer' THEN e - 1 - floor(sy_exp(sy_u(s, g, 'since')) * $carer_mean_years * 365)::INTEGER
            WHEN employment = 'retired' THEN CAST(date_of_birth + INTERVAL 60 YEAR AS DATE) + sy_int(sy_u(s, g, 'since'), 7 * 365)::INTEGER
            WHEN employment = 'employed' THEN e - 1 - floor(sy_exp(sy_u(s, g, 'since')) * 6 * 365)::INTEGER
            WHEN employment = 'student' THEN CAST(date_of_birth + INTERVAL 16 YEAR AS DATE)
        END)) AS status_since,
        CASE WHEN employment IN ('unemployed', 'long_term_sick', 'carer', 'retired') THEN 'employed'
             WHEN employment = 'employed' THEN 'unemployed' END AS prev_status
    FROM work
),
wishes AS (
    SELECT *,
        employment NOT IN ('employed', 'child') AS out_of_work,
        CASE employment
            WHEN 'unemployed' THEN sy_u(s, g, 'wants') < $wants_work_unemployed
            WHEN 'long_term_sick' THEN sy_u(s, g, 'wants') < $wants_work_lt_sick
            WHEN 'carer' THEN sy_u(s, g, 'wants') < $wants_work_carer
            WHEN 'student' THEN sy_u(s, g, 'wants') < $wants_work_student
            WHEN 'retired' THEN sy_u(s, g, 'wants') < $wants_work_retired
        END AS wants_work,
        employment IN ('unemployed', 'long_term_sick') AND sy_u(s, g, 'ips') < $had_ips AS had_ips
    FROM since
),
coded_work AS (  -- sparse employment-status codes, some stale (the previous status) or miskeyed
    SELECT *,
        sy_u(s, g, 'emp_coded') < CASE employment
            WHEN 'employed' THEN $emp_coded_employed WHEN 'unemployed' THEN $emp_coded_unemployed
            WHEN 'long_term_sick' THEN $emp_coded_lt_sick WHEN 'student' THEN $emp_coded_student
            WHEN 'retired' THEN $emp_coded_retired ELSE 0 END AS emp_coded,
        CASE WHEN sy_u(s, g, 'emp_wrong') < $emp_code_wrong
                 THEN CASE WHEN employment = 'employed' THEN 'unemployed' ELSE 'employed' END
             WHEN employment = 'long_term_sick'
                 THEN CASE WHEN sy_u(s, g, 'emp_lts') < $lt_sick_coded_as_unemployed THEN 'unemployed' ELSE 'long_term_sick' END
             ELSE employment END AS emp_category,
        sy_day(sy_u(s, g, 'emp_date'), greatest(hist_from, status_since, end_date - 6 * 365), end_date) AS emp_date,
        prev_status IS NOT NULL AND status_since - 1 >= hist_from
            AND sy_u(s, g, 'emp_before') < $emp_coded_before AS emp_before,
        sy_day(sy_u(s, g, 'emp_before_date'), greatest(hist_from, status_since - 730), status_since - 1) AS emp_before_date,
        (employment = 'long_term_sick' AND sy_u(s, g, 'benefit') < $benefit_coded_lt_sick)
            OR (employment = 'unemployed' AND sy_u(s, g, 'benefit') < $benefit_coded_unemployed) AS benefit_coded,
        sy_day(sy_u(s, g, 'benefit_date'), greatest(hist_from, status_since), end_date) AS benefit_date
    FROM wishes
),
fit_notes AS (  -- runs of 'not fit' notes around a job loss or long-term sickness; long sick leave
    SELECT *,
        CASE WHEN by_pain AND sy_u(s, g, 'run') < $fitnote_run_job_loss THEN job_loss - sy_int(sy_u(s, g, 'run_pre'), 180)::INTEGER
             WHEN NOT by_pain AND employment = 'long_term_sick' AND sy_u(s, g, 'run') < $fitnote_run_lt_sick
                 THEN status_since - sy_int(sy_u(s, g, 'run_pre'), 90)::INTEGER
        END AS run_from,
        floor(sy_exp(sy_u(s, g, 'run_len')) * $fitnote_run_mean_days)::INTEGER AS run_days,
        employment = 'employed' AND sy_u(s, g, 'absence') < CASE WHEN in_pain AND disabling THEN $long_absence_disabling
                                                                 ELSE $long_absence_other END AS long_absence,
        sy_day(sy_u(s, g, 'absence_day'), e - 730, e - 90) AS absence_from,
        90 + sy_int(sy_u(s, g, 'absence_len'), 180)::INTEGER AS absence_days,
        sy_u(s, g, 'absence_back') < $long_absence_return_may_be_fit AS absence_back,
        CASE WHEN employment = 'employed' THEN sy_count(sy_u(s, g, 'episodes'), 3 * $fitnote_episodes_per_year
             * CASE WHEN in_pain AND disabling THEN $fitnote_episodes_pain_factor ELSE 1 END) ELSE 0 END AS n_episodes
    FROM coded_work
),
exclusions AS (
    SELECT fit_notes.*,
        sy_u(s, g, 'dementia') < dm.p AS dementia,
        sy_u(s, g, 'palliative') < CASE WHEN status = 'died' THEN $palliative_died WHEN age >= 75 THEN $palliative_75
                                        ELSE $palliative_other END AS palliative,
        sy_u(s, g, 'opt_out') < CASE WHEN age >= 18 THEN $opt_out_adult ELSE $opt_out_child END AS opted_out,
        sy_day(sy_u(s, g, 'opt_date'), greatest(registration_date, end_date - 11 * 365), end_date) AS opt_date
    FROM fit_notes JOIN sy_dementia_by_age dm ON fit_notes.age BETWEEN dm.age_lo AND dm.age_hi
),
final AS (
    SELECT *,
        opted_out AND end_date - opt_date >= 2 AND sy_u(s, g, 'withdrawn') < $opt_out_withdrawn AS opt_withdrawn,
        NOT dementia AND sy_u(s, g, 'consent') >= $cannot_consent AS can_consent,
        (1000 + local_no * 7 + sy_int(sy_u(s, g, 'id'), 7))::VARCHAR AS patient_id
    FROM exclusions
)
SELECT * EXCLUDE (s, e, u, p_death, p_left, left_on, from_birth, loss_drawn)
FROM final
ORDER BY local_no;
