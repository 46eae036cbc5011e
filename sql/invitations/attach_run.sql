-- The finished run database, read-only, beside the workspace state while its
-- invitations are committed to the ledger.
ATTACH $path AS rundb (READ_ONLY);
