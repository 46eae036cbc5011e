-- The fixed codelist roles the rules refer to, mapped to the codelist name and
-- version the study file pins (studies/*.yaml, `codelists:`). Every later rule
-- finds its codes through this table, never by a codelist name in SQL text.
CREATE OR REPLACE TEMP TABLE study_roles AS
WITH
pins AS (
    SELECT * FROM (VALUES
        ('chronic_pain_conditions', $codelist_chronic_pain_conditions, $version_chronic_pain_conditions),
        ('chronic_pain_diagnosis', $codelist_chronic_pain_diagnosis, $version_chronic_pain_diagnosis),
        ('pain_medications', $codelist_pain_medications, $version_pain_medications),
        ('employment_status', $codelist_employment_status, $version_employment_status),
        ('dementia', $codelist_dementia, $version_dementia),
        ('palliative_care', $codelist_palliative_care, $version_palliative_care),
        ('research_opt_out', $codelist_research_opt_out, $version_research_opt_out),
        ('research_opt_out_withdrawn', $codelist_research_opt_out_withdrawn, $version_research_opt_out_withdrawn)
    ) AS p (role, codelist, version)
),

final AS (
    SELECT role, CAST(codelist AS VARCHAR) AS codelist, CAST(version AS VARCHAR) AS version FROM pins
)

SELECT * FROM final ORDER BY role
