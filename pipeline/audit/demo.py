"""Synthetic outcomes for `make demo`, so its yield report has something to count.

The synthetic generator's answer key (truth.csv: practice_code, patient_id and
latent flags such as in_work, retired, in_chronic_pain, eligible) says how each
invitee would answer the letter. A deterministic draw from each invitation
reference decides who replies; a reply follows the truth: in work (a few
complain), retired, no longer in pain, eligible (some recruited), or not wanting
to take part. Recorded through the normal outcome path, so complaints reach the
do-not-contact list and every outcome is in the audit log.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from pipeline import db
from pipeline.audit.outcomes import Outcome, Result, record_many

REPLY_SHARE = 0.55


def _draw(seed: int, invite_ref: str, salt: str) -> float:
    digest = hashlib.sha256(f"{seed}|{salt}|{invite_ref}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _flag(row: dict, name: str) -> bool:
    return str(row.get(name, "")).strip().lower() == "true"


def answer(truth: dict, invite_ref: str, *, seed: int) -> list[Outcome]:
    """What this invitee's letter yields, as the outcomes a practice would record."""
    if _draw(seed, invite_ref, "undeliverable") < 0.02:
        return [Outcome(invite_ref, "undeliverable")]
    if _draw(seed, invite_ref, "reply") >= REPLY_SHARE:
        return [Outcome(invite_ref, "no_reply")]
    if _flag(truth, "in_work"):
        complains = _draw(seed, invite_ref, "complaint") < 0.25
        return [Outcome(invite_ref, "complaint" if complains else "ineligible", "in_work")]
    if _flag(truth, "retired"):
        return [Outcome(invite_ref, "ineligible", "retired")]
    if not _flag(truth, "in_chronic_pain"):
        return [Outcome(invite_ref, "ineligible", "no_chronic_pain")]
    if _flag(truth, "eligible"):
        recruited = _draw(seed, invite_ref, "recruited") < 0.35
        return [Outcome(invite_ref, "eligible")] + (
            [Outcome(invite_ref, "recruited")] if recruited else []
        )
    return [
        Outcome(
            invite_ref, "declined" if truth.get("wants_work", "").lower() == "false" else "replied"
        )
    ]


def _truth(path: Path) -> dict[tuple[str, str], dict]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return {(r["practice_code"], r["patient_id"]): r for r in csv.DictReader(fh)}


def record_demo_outcomes(
    ws, truth_csv: Path, *, seed: int = 2019, limit: int | None = 400
) -> Result:
    """Record synthetic outcomes for up to LIMIT live invitations of WS (chosen by a seeded draw)."""
    truth = _truth(truth_csv)
    with ws.state(read_only=True) as con:
        live = db.run(con, "audit/demo_invitations").fetchall()
    live = sorted(live, key=lambda r: _draw(seed, r[0], "sample"))[: limit or None]
    items = [
        o
        for ref, code, pid in live
        if (code, pid) in truth
        for o in answer(truth[(code, pid)], ref, seed=seed)
    ]
    return record_many(ws, items, source="demo (synthetic truth.csv)")
