-- How many patients the rolled-back run had deferred (they were never invited,
-- and stay recorded against that run).
SELECT count(*) AS n FROM deferred WHERE run_id = $run_id;
