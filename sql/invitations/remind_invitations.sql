-- The run's invitations of the people being reminded ($refs), from the run
-- database attached read-only as `run_db`: their names and addresses as the run stored them.
CREATE TABLE invitations AS
SELECT * FROM run_db.invitations
WHERE list_contains(CAST($refs AS VARCHAR []), invite_ref);
