-- Drop the study's working tables; population, evidence, attrition and quarantine stay.
DROP TABLE IF EXISTS study_records;
DROP TABLE IF EXISTS study_codes;
