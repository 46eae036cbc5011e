-- Codelist impact, first run: who the study invited (or where it stopped them)
-- with the old codelist version, kept before the study runs again with the new one.
CREATE OR REPLACE TEMP TABLE impact_before AS
WITH
final AS (
    SELECT practice_code, patient_id, invited, stopped_by FROM population
)

SELECT * FROM final ORDER BY practice_code, patient_id
