-- Record what happened after an invitation (a reply, a complaint, a letter returned).
INSERT INTO outcomes (invite_ref, outcome, reason, recorded_at, recorded_by, note)
VALUES ($invite_ref, $outcome, $reason, $recorded_at, $recorded_by, $note)
