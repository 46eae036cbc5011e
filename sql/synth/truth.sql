-- The latent state of one practice's people, which their record may not show (see
-- truth_table.sql). `eligible` is the InStep trial's eligibility as the patient would
-- answer it: registered, alive, 18-64, in chronic pain, out of work through pain for
-- 3 months or more, never had IPS, able to consent, wants to work.
INSERT INTO truth
SELECT
    $practice_no, local_no, $practice_code, patient_id, sex, age,
    status = 'registered', status <> 'died',
    in_pain, pain_past, pain_coded,
    employment, employment = 'employed', employment = 'retired', employment = 'student',
    unemployed_months, unemployed_due_to_pain, wants_work,
    had_ips, can_consent, dementia, palliative, opted_out AND NOT opt_withdrawn,
    status = 'registered' AND age BETWEEN 18 AND 64 AND in_pain AND unemployed_due_to_pain
        AND unemployed_months >= 3 AND NOT had_ips AND can_consent AND wants_work
FROM people;
