-- The run's letter to one patient, if it wrote one: the reference on the letter
-- and the chronic-pain routes that held.
WITH
letter AS (
    SELECT invite_ref, run_id, study, practice_code, patient_id, strongest_route, routes_held
    FROM invitations
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT * FROM letter
)

SELECT * FROM final
