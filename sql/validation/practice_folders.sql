-- Each practice's source folder, for naming the file a failed row came from.
SELECT practice_code, source_folder FROM practices ORDER BY practice_code;
