-- Roles whose pinned codelist version has no codes in the run's codelist table.
-- An empty exclusion list would invite people it should protect, so the study
-- refuses to run rather than treat "no codes" as "no one excluded".
WITH
final AS (
    SELECT r.role, r.codelist, r.version
    FROM study_roles AS r
    WHERE NOT EXISTS (
        SELECT 1 FROM codelist_codes AS c WHERE c.codelist = r.codelist AND c.version = r.version
    )
)

SELECT * FROM final ORDER BY role
