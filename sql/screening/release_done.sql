-- The released letters are in the run folder: nothing left to recover.
UPDATE runs SET release_stage = NULL WHERE run_id = $run_id;
