-- One run's database, read-only, beside the workspace state while a report or
-- an export reads what the run stored about its letters.
ATTACH $path AS audit_run (READ_ONLY)
