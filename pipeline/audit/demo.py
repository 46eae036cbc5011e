"""Synthetic outcomes for `make demo`, so its yield report has every letter's fate.

The synthetic generator's answer key (truth.csv) says who each invitee is; the
reply model (pipeline/synth/replies.py, with self-selection, calibrated to the
pilot's Table 1) says what their letter yields. Every live letter gets an outcome,
`no_reply` included, so the yield report's rates are per letter sent. Recorded
through the normal outcome path, so complaints and declines reach the
do-not-contact list and every outcome is in the audit log.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline import db
from pipeline.audit.outcomes import Outcome, Result, record_many
from pipeline.synth.replies import draw, reply


def answer(truth: dict, invite_ref: str, *, seed: int, key: str | None = None) -> list[Outcome]:
    """What this invitee's letter yields, as the outcomes a practice would record
    (an enquirer who is recruited is recorded eligible, then recruited). KEY seeds
    the draws (default the reference); the demo uses "practice|patient", as the
    efficacy comparison does, so the yield report and the comparison agree."""
    fate = reply(truth, key or invite_ref, seed=seed)
    if fate.recruited:
        return [Outcome(invite_ref, "eligible"), Outcome(invite_ref, "recruited")]
    return [Outcome(invite_ref, fate.outcome, fate.reason)]


def _truth(path: Path) -> dict[tuple[str, str], dict]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return {(r["practice_code"], r["patient_id"]): r for r in csv.DictReader(fh)}


def live_letters(ws) -> list[tuple[str, str, str]]:
    """(invite_ref, practice_code, patient_id) of every live letter in WS's ledger."""
    with ws.state(read_only=True) as con:
        return [tuple(r) for r in db.run(con, "audit/demo_invitations").fetchall()]


def record_demo_outcomes(
    ws, truth_csv: Path, *, seed: int = 2019, limit: int | None = None
) -> Result:
    """Record synthetic outcomes for every live invitation of WS (or LIMIT of them,
    chosen by a seeded draw)."""
    truth = _truth(truth_csv)
    live = live_letters(ws)
    if limit is not None:
        live = sorted(live, key=lambda r: draw(seed, r[0], "sample"))[:limit]
    items = [
        o
        for ref, code, pid in live
        if (code, pid) in truth
        for o in answer(truth[(code, pid)], ref, seed=seed, key=f"{code}|{pid}")
    ]
    return record_many(ws, items, source="demo (synthetic truth.csv)")
