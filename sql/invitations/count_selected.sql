-- How many ranked candidates fit within their practice's capacity (one invite
-- reference is drawn for each).
SELECT count(*) AS chosen
FROM invitation_candidates
WHERE selected;
