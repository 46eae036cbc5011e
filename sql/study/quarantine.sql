-- Patients who passed every rule but whose record cannot be mailed safely (NHS
-- number failing its check digit, address line 1 or postcode missing, postcode
-- not a UK format): held back with the reason, for the practice to correct.
CREATE OR REPLACE TABLE quarantine AS
WITH
final AS (
    SELECT practice_code, patient_id, dq_reason AS reason
    FROM population
    WHERE stopped_by = 'data_quality'
)

SELECT * FROM final
ORDER BY practice_code, patient_id
