-- Every invite reference the workspace has ever issued (rolled back or not):
-- a new reference must differ from all of them.
SELECT invite_ref FROM ledger;
