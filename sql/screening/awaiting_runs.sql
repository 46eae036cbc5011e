-- Screening runs not released yet (a release that stopped before its commit may
-- have left a staging folder in their run folder).
SELECT run_id, out_dir FROM runs WHERE screening = 'awaiting' ORDER BY run_id;
