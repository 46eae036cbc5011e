-- The latent state of one practice's people, which their record may not show (see
-- truth_table.sql). `eligible` is the InStep trial's eligibility as the patient would
-- answer it: registered, alive, 18-64, in chronic pain, out of work through that pain
-- (a job lost after the pain began) for 3 months or more, never had IPS, able to
-- consent, wants to work. `ineligible_reason` is the first of these that fails.
INSERT INTO truth
WITH t AS (
    SELECT p.*, $extract_date::DATE AS e,
        CASE WHEN employment = 'employed' AND sy_u($seed::BIGINT, g, 'self_employed') < $self_employed_share
             THEN 'self_employed' ELSE employment END AS work,
        EXISTS (SELECT 1 FROM conds c WHERE c.g = p.g AND c.pool = 'condition/diabetes') AS t2d
    FROM people p
),
judged AS (
    SELECT *,
        CASE WHEN status = 'died' THEN 'died'
             WHEN status <> 'registered' THEN 'not_registered'
             WHEN age NOT BETWEEN 18 AND 64 THEN 'age'
             WHEN NOT in_pain THEN CASE WHEN pain_past THEN 'pain_resolved' ELSE 'no_chronic_pain' END
             WHEN employment = 'employed' THEN 'in_work'
             WHEN employment = 'retired' THEN 'retired'
             WHEN employment = 'student' THEN 'student'
             WHEN NOT by_pain THEN 'out_of_work_not_through_pain'
             WHEN e - job_loss < 91 THEN 'out_of_work_under_3_months'
             WHEN had_ips THEN 'had_ips'
             WHEN NOT can_consent THEN 'cannot_consent'
             WHEN NOT wants_work THEN 'does_not_want_work'
        END AS why_not
    FROM t
)
SELECT
    $practice_no, local_no, $practice_code, patient_id, sex, age,
    status = 'registered', status <> 'died',
    in_pain, CASE WHEN in_pain THEN pain_onset END,
    CASE WHEN in_pain THEN CASE WHEN disabling THEN 'disabling' ELSE 'mild' END END,
    pain_past, CASE WHEN pain_past THEN past_end END, pain_coded,
    work, CASE WHEN employment <> 'child' THEN status_since END,
    employment = 'employed', employment = 'retired', employment = 'student',
    job_loss, by_pain,
    CASE WHEN out_of_work THEN date_diff('month', status_since, e) END,
    wants_work, had_ips, can_consent, dementia, palliative, opted_out AND NOT opt_withdrawn, t2d,
    why_not IS NULL, why_not
FROM judged
ORDER BY local_no;
