-- Practices whose extract was taken before the requested index date: their
-- records cannot show what happened between the two, so the run refuses.
SELECT practice_code, extract_date
FROM practices
WHERE extract_date < CAST($index_date AS DATE)
ORDER BY practice_code;
