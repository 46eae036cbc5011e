-- The ranking is kept in the invitations and deferred tables; drop the scratch table.
DROP TABLE IF EXISTS invitation_candidates;
