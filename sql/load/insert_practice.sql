-- One practice's manifest.
INSERT INTO practices
VALUES ($practice_code, $practice_name, $clinical_system, $extract_date, $practice_address, $source_folder);
