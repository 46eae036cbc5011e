-- The run's invitations a GP included: the letters `cohort release` writes
-- (copied from the run database into the release's working database).
CREATE OR REPLACE TABLE invitations AS
SELECT i.*
FROM rundb.invitations AS i
WHERE list_contains(CAST($refs AS VARCHAR []), i.invite_ref)
ORDER BY i.practice_code, i.capacity_rank;
