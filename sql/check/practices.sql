-- What each practice's extract holds, before any study rule: patients ever
-- registered, those registered and alive on the index date (the list size a
-- data manager can compare with the clinical system), records and their dates.
-- $index_date: the run's --index-date, or NULL for each extract date.
WITH
practice_dates AS (
    SELECT
        practice_code,
        practice_name,
        extract_date,
        coalesce(CAST($index_date AS DATE), extract_date) AS index_date
    FROM practices
),

patient_counts AS (
    SELECT
        pa.practice_code,
        count(*) AS patients,
        count(*) FILTER (
            WHERE pa.registration_date <= d.index_date
            AND (pa.deregistration_date IS NULL OR pa.deregistration_date > d.index_date)
            AND (pa.date_of_death IS NULL OR pa.date_of_death > d.index_date)
        ) AS registered
    FROM patients AS pa
    INNER JOIN practice_dates AS d USING (practice_code)
    GROUP BY pa.practice_code
),

event_counts AS (
    SELECT practice_code, count(*) AS events, min(event_date) AS first_event, max(event_date) AS last_event
    FROM events
    GROUP BY practice_code
),

issue_counts AS (
    SELECT practice_code, count(*) AS issues, min(issue_date) AS first_issue, max(issue_date) AS last_issue
    FROM medications
    GROUP BY practice_code
),

final AS (
    SELECT
        d.practice_code,
        d.practice_name,
        d.extract_date,
        d.index_date,
        coalesce(p.patients, 0) AS patients,
        coalesce(p.registered, 0) AS registered,
        coalesce(e.events, 0) AS events,
        e.first_event,
        e.last_event,
        coalesce(i.issues, 0) AS issues,
        i.first_issue,
        i.last_issue
    FROM practice_dates AS d
    LEFT JOIN patient_counts AS p USING (practice_code)
    LEFT JOIN event_counts AS e USING (practice_code)
    LEFT JOIN issue_counts AS i USING (practice_code)
)

SELECT * FROM final
ORDER BY practice_code
