-- truth.csv: every practice's truth rows, practice by practice in patient order.
COPY (
    SELECT * EXCLUDE (practice_no, local_no) FROM truth ORDER BY practice_no, local_no
) TO $path (FORMAT csv, HEADER true);
