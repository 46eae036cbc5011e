-- The rest of what the letters need, copied from the released run's database
-- (attached read-only as rundb): practices and their letterheads, the run's
-- practices, quarantine and deferred lists.
CREATE OR REPLACE TABLE practices AS SELECT * FROM rundb.practices;
CREATE OR REPLACE TABLE run_practices AS SELECT * FROM rundb.run_practices;
CREATE OR REPLACE TABLE quarantine AS SELECT * FROM rundb.quarantine;
CREATE OR REPLACE TABLE deferred AS SELECT * FROM rundb.deferred;
