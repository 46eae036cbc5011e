-- Let go of the run database once its invitations are committed (or not).
DETACH rundb;
