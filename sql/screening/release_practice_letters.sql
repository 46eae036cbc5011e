-- Each practice's telephone, email and letter language as the run kept them
-- from its manifests (the letters of a released run use the run's, not today's).
CREATE OR REPLACE TABLE practice_letters AS SELECT * FROM rundb.practice_letters;
