-- Done reading one run's database.
DETACH audit_run
