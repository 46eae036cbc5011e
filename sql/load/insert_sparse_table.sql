-- One table a practice's manifest says is expected to be empty or sparse.
INSERT INTO sparse_tables VALUES ($practice_code, $table_name);
