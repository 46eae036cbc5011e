-- An imported decision replaces any earlier one for the same person of the same
-- run (a GP may correct a list before it is released).
DELETE FROM screening_decisions
WHERE run_id = $run_id AND list_contains(CAST($refs AS VARCHAR []), screening_ref);
