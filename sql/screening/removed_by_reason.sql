-- People GPs removed at screening (before any letter), by reason, over the
-- workspace: the yield report's "removed at screening" rows (counts only).
SELECT reason, count(*) AS removed
FROM screening_decisions
WHERE decision = 'exclude'
GROUP BY reason
ORDER BY reason;
