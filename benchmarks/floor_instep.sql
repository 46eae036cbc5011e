-- The floor: the InStep rules hand-written as one DuckDB statement over the
-- loaded tables, with the spec's numbers inlined. The benchmark times it next to
-- the pipeline's compiled study; it also checks both invite the same patients.
-- Needs the loader's macros (sql/load/macros.sql: cf_nhs normalises the NHS numbers the
-- ledger and the do-not-contact list hold, as the study does).
WITH d AS (SELECT practice_code, index_date FROM run_practices),
cc AS (SELECT codelist, coding_system, code, category FROM codelist_codes),
ev AS (
    SELECT e.practice_code, e.patient_id, e.event_date, cc.codelist, cc.category, d.index_date
    FROM events e
    JOIN d USING (practice_code)
    JOIN cc ON cc.coding_system = e.coding_system AND cc.code = e.code
    WHERE e.event_date <= d.index_date
),
md AS (
    SELECT m.practice_code, m.patient_id, m.issue_date, d.index_date
    FROM medications m
    JOIN d USING (practice_code)
    JOIN cc ON cc.coding_system = m.coding_system AND cc.code = m.code AND cc.codelist = 'pain_medications'
    WHERE m.issue_date <= d.index_date AND m.issue_date >= d.index_date - INTERVAL 365 DAY
),
c1 AS (
    SELECT practice_code, patient_id FROM ev
    WHERE codelist = 'chronic_pain_conditions' AND event_date >= index_date - INTERVAL 730 DAY
    GROUP BY ALL HAVING count(*) >= 2 AND max(event_date) - min(event_date) >= 90
),
c2 AS (
    SELECT DISTINCT practice_code, patient_id FROM ev
    WHERE codelist = 'chronic_pain_diagnosis' AND event_date >= index_date - INTERVAL 730 DAY
),
c3 AS (
    SELECT practice_code, patient_id FROM md
    GROUP BY ALL HAVING count(*) >= 3 AND max(issue_date) - min(issue_date) >= 90
),
emp_latest AS (
    SELECT practice_code, patient_id, max(event_date) AS latest FROM ev
    WHERE codelist = 'employment_status' AND event_date >= index_date - INTERVAL 730 DAY
    GROUP BY ALL
),
in_work AS (
    SELECT DISTINCT e.practice_code, e.patient_id
    FROM ev e JOIN emp_latest l
        ON l.practice_code = e.practice_code AND l.patient_id = e.patient_id AND e.event_date = l.latest
    WHERE e.codelist = 'employment_status' AND e.category IN ('employed', 'retired', 'student')
),
optout AS (
    SELECT practice_code, patient_id, max(event_date) AS last_dissent FROM ev
    WHERE codelist = 'research_opt_out' GROUP BY ALL
),
withdrawn AS (
    SELECT practice_code, patient_id, max(event_date) AS last_withdrawal FROM ev
    WHERE codelist = 'research_opt_out_withdrawn' GROUP BY ALL
),
excluded AS (
    SELECT DISTINCT practice_code, patient_id FROM ev WHERE codelist IN ('dementia', 'palliative_care')
    UNION
    SELECT o.practice_code, o.patient_id FROM optout o LEFT JOIN withdrawn w USING (practice_code, patient_id)
    WHERE w.last_withdrawal IS NULL OR w.last_withdrawal <= o.last_dissent
),
base AS (
    SELECT p.*, d.index_date,
        date_diff('year', p.date_of_birth, d.index_date)
            - CASE WHEN (month(d.index_date), day(d.index_date)) < (month(p.date_of_birth), day(p.date_of_birth))
                   THEN 1 ELSE 0 END AS age
    FROM patients p JOIN d USING (practice_code)
    WHERE p.registration_date <= d.index_date
      AND (p.deregistration_date IS NULL OR p.deregistration_date > d.index_date)
      AND (p.date_of_death IS NULL OR p.date_of_death > d.index_date)
),
shared AS (
    -- a valid NHS number held by two or more patients registered and alive on D: hold both back
    SELECT nhs_number FROM base WHERE coalesce(nhs_number_valid, false)
    GROUP BY nhs_number HAVING count(*) > 1
)
SELECT b.practice_code, b.patient_id
FROM base b
WHERE b.age BETWEEN 18 AND 64
  AND (EXISTS (SELECT 1 FROM c1 WHERE c1.practice_code = b.practice_code AND c1.patient_id = b.patient_id)
    OR EXISTS (SELECT 1 FROM c2 WHERE c2.practice_code = b.practice_code AND c2.patient_id = b.patient_id)
    OR EXISTS (SELECT 1 FROM c3 WHERE c3.practice_code = b.practice_code AND c3.patient_id = b.patient_id))
  AND NOT EXISTS (SELECT 1 FROM in_work w WHERE w.practice_code = b.practice_code AND w.patient_id = b.patient_id)
  AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.practice_code = b.practice_code AND x.patient_id = b.patient_id)
  -- one equi-join per identity (an OR of two joins would be a nested-loop join)
  AND NOT EXISTS (SELECT 1 FROM prior_invitations pi
                  WHERE pi.practice_code = b.practice_code AND pi.patient_id = b.patient_id)
  AND NOT EXISTS (SELECT 1 FROM prior_invitations pi WHERE cf_nhs(pi.nhs_number) = b.nhs_number)
  AND NOT EXISTS (SELECT 1 FROM do_not_contact n
                  WHERE n.practice_code = b.practice_code AND n.patient_id = b.patient_id)
  AND NOT EXISTS (SELECT 1 FROM do_not_contact n WHERE cf_nhs(n.nhs_number) = b.nhs_number)
  AND NOT EXISTS (SELECT 1 FROM shared s WHERE s.nhs_number = b.nhs_number)
  AND coalesce(b.nhs_number_valid, true) AND b.address_line_1 IS NOT NULL AND b.postcode_valid
ORDER BY 1, 2
