"""What happened after an invitation: `cohort outcome record` and `cohort outcome import`.

An outcome is tied to an invitation reference from the ledger. A complaint, a
decline or a death also puts the person on the do-not-contact list (by practice
and patient id and by NHS number), which every later run honours. Recording the
same outcome twice for one invitation records it once. Notes stay in the
workspace state (owner-only): they are never logged or exported.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import db, journal
from pipeline.audit import dnc
from pipeline.audit.identity import Person, ledger_row
from pipeline.audit.pseudo import Pseudonymiser
from pipeline.errors import UsageError
from pipeline.fsutil import sha256_file
from pipeline.invitations.refs import ref_problem, validate_ref
from pipeline.workspace import now, operator

OUTCOMES = (
    "no_reply",
    "replied",
    "eligible",
    "recruited",
    "ineligible",
    "declined",
    "complaint",
    "undeliverable",
    "deceased",
)
REASONS = ("in_work", "retired", "no_chronic_pain", "moved", "other")
REASON_OUTCOMES = ("ineligible", "complaint", "declined")  # may say why; ineligible must
DO_NOT_CONTACT = ("complaint", "declined", "deceased")
AWAITING = "awaiting_screening"  # listed for a GP: no letter has gone out yet


@dataclass(frozen=True)
class Outcome:
    invite_ref: str
    outcome: str
    reason: str | None = None
    note: str | None = None


@dataclass
class Result:
    """Counts only, safe to print: recorded, already there, added to do-not-contact."""

    recorded: int = 0
    already: int = 0
    do_not_contact: int = 0
    entries: list[tuple[str, dict]] = field(default_factory=list)


def problem(outcome: str, reason: str | None) -> tuple[str, str] | None:
    """(column, what is wrong) for an outcome and reason, or None when they are fine."""
    if outcome not in OUTCOMES:
        return "outcome", f"{outcome!r} is not an outcome; use one of {', '.join(OUTCOMES)}"
    if reason and reason not in REASONS:
        return "reason", f"{reason!r} is not a reason; use one of {', '.join(REASONS)}"
    if reason and outcome not in REASON_OUTCOMES:
        return (
            "reason",
            f"a reason goes only with {', '.join(REASON_OUTCOMES)}; leave it blank for {outcome}",
        )
    if outcome == "ineligible" and not reason:
        return "reason", f"an ineligible outcome needs a reason: one of {', '.join(REASONS)}"
    return None


def record(ws, item: Outcome) -> Result:
    """`cohort outcome record`: one outcome for one invitation."""
    found = problem(item.outcome, item.reason)
    if found:
        raise UsageError(f"--{found[0]}: {found[1]}")
    return _apply(ws, [item], source="cli")


def record_many(ws, items: list[Outcome], *, source: str) -> Result:
    """Check ITEMS, then record them in one transaction (used by the demo; import checks rows itself)."""
    for item in items:
        found = problem(item.outcome, item.reason)
        if found:
            raise UsageError(f"{item.invite_ref}: {found[0]}: {found[1]}")
    return _apply(ws, items, source=source)


def _apply(ws, items: list[Outcome], *, source: str) -> Result:
    """Record ITEMS (already checked) in one transaction, then log them, under the workspace lock."""
    pseudo = Pseudonymiser.for_workspace(ws)
    # the rows and their audit entries become visible together (pipeline/journal.py)
    with ws.lock("outcome"), journal.logged_change(ws, "outcome") as (con, entries):
        rows = {i.invite_ref: ledger_row(con, i.invite_ref) for i in items}
        waiting = next((row for row in rows.values() if row["status"] == AWAITING), None)
        if waiting is not None:
            raise UsageError(awaiting(waiting["invite_ref"], waiting["run_id"]))
        result = Result()
        for item in items:
            _one(con, item, rows[item.invite_ref], pseudo=pseudo, source=source, result=result)
        entries.extend(result.entries)
    return result


def _one(
    con, item: Outcome, row: dict, *, pseudo: Pseudonymiser, source: str, result: Result
) -> None:
    if db.run(
        con,
        "audit/outcome_exists",
        invite_ref=item.invite_ref,
        outcome=item.outcome,
        reason=item.reason,
    ).fetchone()[0]:
        result.already += 1
        return
    db.run(
        con,
        "audit/outcome_insert",
        invite_ref=item.invite_ref,
        outcome=item.outcome,
        reason=item.reason,
        recorded_at=now(),
        recorded_by=operator(),
        note=item.note,
    )
    result.recorded += 1
    added = item.outcome in DO_NOT_CONTACT and _do_not_contact(con, item, row)
    result.entries.append(
        (
            "outcome",
            {
                "invite_ref": item.invite_ref,
                "run_id": row["run_id"],
                "study": row["study"],
                "outcome": item.outcome,
                "reason": item.reason,
                "source": source,
                "do_not_contact": added,
            },
        )
    )
    if added:
        result.do_not_contact += 1
        person = Person(row["practice_code"], row["patient_id"], row["nhs_number"], item.invite_ref)
        result.entries.append(
            (
                "dnc_add",
                dnc.audit_details(pseudo, person, source=item.invite_ref, reason=dnc_reason(item)),
            )
        )


def awaiting(invite_ref: str, run_id: str) -> str:
    """Why an outcome cannot be recorded for a reference still awaiting GP screening."""
    return (
        f"invitation reference {invite_ref} is still awaiting GP screening (run {run_id}): no "
        "letter has gone out, so there is no outcome to record; import the GP's decisions "
        f"(cohort screen import) and release the run (cohort release {run_id}) first"
    )


def dnc_reason(item: Outcome) -> str:
    return f"{item.outcome} ({item.reason})" if item.reason else item.outcome


def _do_not_contact(con, item: Outcome, row: dict) -> bool:
    person = Person(row["practice_code"], row["patient_id"], row["nhs_number"], item.invite_ref)
    return dnc.insert(con, person, reason=dnc_reason(item), source=item.invite_ref)


# --- import -----------------------------------------------------------------

REQUIRED = ("invite_ref", "outcome")
OPTIONAL = ("reason", "note")


def import_file(ws, path: Path) -> Result:
    """`cohort outcome import FILE.csv`: check every row first; record all or nothing."""
    items = read_outcomes(path)
    with ws.state(read_only=True) as con:
        known = {
            r[0]: (r[2], r[6])  # run_id, status
            for r in db.run(
                con, "audit/ledger_by_refs", refs=[i.invite_ref for _, i in items]
            ).fetchall()
        }
    problems = [
        f"{path} row {n}, column invite_ref: {i.invite_ref!r} is not in this workspace's ledger; "
        "check the reference printed on the letter"
        if i.invite_ref not in known
        else f"{path} row {n}, column invite_ref: {awaiting(i.invite_ref, known[i.invite_ref][0])}"
        for n, i in items
        if i.invite_ref not in known or known[i.invite_ref][1] == AWAITING
    ]
    _raise_first(problems)
    return _apply(
        ws, [i for _, i in items], source=f"import {path.name} sha256:{sha256_file(path)[:16]}"
    )


def read_outcomes(path: Path) -> list[tuple[int, Outcome]]:
    """(spreadsheet row number, outcome) for every data row; UsageError naming the first bad row."""
    header, rows = _read_csv(path)
    problems: list[str] = []
    items: list[tuple[int, Outcome]] = []
    for number, cells in rows:
        value = {c: (cells[i].strip() if i < len(cells) else "") for c, i in header.items()}
        typed = ref_problem(value["invite_ref"]) if value["invite_ref"] else None
        item = Outcome(
            validate_ref(value["invite_ref"])
            if value["invite_ref"] and not typed
            else value["invite_ref"],
            value["outcome"].lower(),
            value.get("reason", "").lower() or None,
            value.get("note") or None,
        )
        found = (
            ("invite_ref", "is blank; every row needs the reference printed on the letter")
            if not item.invite_ref
            else ("invite_ref", typed)
            if typed
            else problem(item.outcome, item.reason)
        )
        if found:
            problems.append(f"{path} row {number}, column {found[0]}: {found[1]}")
        items.append((number, item))
    _raise_first(problems)
    if not items:
        raise UsageError(f"{path}: has a header but no rows; nothing to import")
    return items


def _read_csv(path: Path) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            lines = list(csv.reader(fh))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(
            f"{path}: cannot be read as a UTF-8 CSV ({type(exc).__name__}); save it as CSV UTF-8"
        ) from None
    if not lines:
        raise UsageError(f"{path}: is empty; it needs a header row invite_ref,outcome,reason")
    names = [h.strip().lower() for h in lines[0]]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise UsageError(
            f"{path} row 1: missing column {', '.join(missing)}; the header must be invite_ref,outcome,reason"
        )
    header = {c: names.index(c) for c in REQUIRED + OPTIONAL if c in names}
    rows = [
        (n, cells) for n, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)
    ]
    return header, rows


def _raise_first(problems: list[str]) -> None:
    if problems:
        more = (
            f" (and {len(problems) - 1} more problems; nothing was recorded)"
            if len(problems) > 1
            else " (nothing was recorded)"
        )
        raise UsageError(problems[0] + more)
