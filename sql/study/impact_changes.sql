-- Codelist impact: patients who join the invited list with the new codelist
-- version, and those who leave it, with the rule that stops them under the other
-- version. Ids only (practice_code, patient_id); no names or NHS numbers.
WITH
compared AS (
    SELECT
        b.practice_code,
        b.patient_id,
        b.invited AS invited_before,
        a.invited AS invited_after,
        b.stopped_by AS stopped_by_before,
        a.stopped_by AS stopped_by_after
    FROM impact_before AS b
    INNER JOIN population AS a ON a.practice_code = b.practice_code AND a.patient_id = b.patient_id
),

final AS (
    SELECT
        practice_code,
        patient_id,
        CASE WHEN invited_after THEN 'joins' ELSE 'leaves' END AS change,
        stopped_by_before,
        stopped_by_after
    FROM compared
    WHERE invited_before <> invited_after
)

SELECT * FROM final ORDER BY change, practice_code, patient_id
