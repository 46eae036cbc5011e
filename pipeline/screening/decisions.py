"""`cohort screen import FILE`: a GP's decision on every person of a screening list.

The file is a screening list (``screening_list.csv``, of the whole run or of one
practice) with ``decision`` filled in for every row: ``include``, or
``exclude`` with a ``reason`` from REASONS (``other`` also needs
``reason_text``). Nothing is stored unless every row is right: a missing row,
an unknown person, an unknown decision or reason are all named, by row number
and reference only, in one line. A later import for the same people replaces
their decisions until the run is released.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import UsageError
from pipeline.invitations.refs import is_valid_ref, validate_ref
from pipeline.workspace import now

# The reasons a GP may give for excluding someone: code -> words on the list.
REASONS = {
    "bereavement": "recent bereavement",
    "serious_illness": "serious illness",
    "safeguarding": "safeguarding",
    "in_work": "known to be in work",
    "other": "other: say why in reason_text",
}
DECISIONS = ("include", "exclude")
REQUIRED = ("screening_ref", "decision", "reason", "reason_text")
SHOWN_REFS = 10
_WORDS = {words.split(":")[0].replace(" ", "_"): code for code, words in REASONS.items()}


@dataclass(frozen=True)
class Decision:
    row: int  # the row number a spreadsheet shows (the header is row 1)
    ref: str
    decision: str
    reason: str | None
    reason_text: str | None


@dataclass(frozen=True)
class ImportSummary:
    """What was imported: ids, counts and reason codes (safe for the audit log)."""

    run_id: str
    study: str
    practices: tuple[str, ...]
    included: int
    excluded: dict[str, int]
    source_sha256: str
    decisions: tuple[tuple[str, str, str | None], ...]


def reason_code(text: str) -> str | None:
    """The reason code for TEXT as a GP may write it (code or words, any case), else None."""
    key = "_".join(text.strip().lower().replace("-", " ").split())
    return key if key in REASONS else _WORDS.get(key)


def import_decisions(con: duckdb.DuckDBPyConnection, path: Path, *, operator: str) -> ImportSummary:
    """Check FILE against the workspace's waiting screening lists and store its decisions."""
    path = Path(path)
    raw = _read_bytes(path)
    rows = _rows(path, raw)
    waiting = _waiting(con)
    decisions, problems, named = _check_rows(rows, waiting)
    run_id = _one_run(path, named, waiting)
    problems += _missing(named, waiting, run_id)
    if problems:
        raise UsageError(_summary(path, problems))
    sha = hashlib.sha256(raw).hexdigest()
    _store(con, decisions, run_id=run_id, operator=operator, sha=sha)
    excluded = Counter(d.reason for d in decisions if d.decision == "exclude")
    return ImportSummary(
        run_id=run_id,
        study=waiting[decisions[0].ref]["study"],
        practices=tuple(sorted({waiting[d.ref]["practice_code"] for d in decisions})),
        included=sum(1 for d in decisions if d.decision == "include"),
        excluded=dict(sorted(excluded.items())),
        source_sha256=sha,
        decisions=tuple((d.ref, d.decision, d.reason) for d in decisions),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; give the filled-in screening_list.csv") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({type(exc).__name__})") from None


def _rows(path: Path, raw: bytes) -> list[dict]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(
            f"{path}: not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'"
        ) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UsageError(
            f"{path}: no column {', '.join(missing)}; import the screening_list.csv the run wrote, "
            "with the decision columns filled in"
        )
    rows = [
        {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        for row in reader
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]
    if not rows:
        raise UsageError(f"{path}: has no rows; import the filled-in screening_list.csv")
    return rows


def _waiting(con) -> dict[str, dict]:
    cursor = db.run(con, "screening/awaiting")
    names = [d[0] for d in cursor.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def _check_rows(rows: list[dict], waiting: dict) -> tuple[list[Decision], list[str], set[str]]:
    """The good rows' decisions, every problem, and the waiting people the file names."""
    decisions, problems, seen = [], [], {}
    for number, row in enumerate(rows, start=2):
        found = _check_row(number, row, waiting, seen)
        if isinstance(found, Decision):
            decisions.append(found)
        else:
            problems.append(found)
    return decisions, problems, set(seen) & set(waiting)


def _check_row(number: int, row: dict, waiting: dict, seen: dict) -> Decision | str:
    typed = row.get("screening_ref", "").lstrip("'")
    if not is_valid_ref(typed):
        return f"row {number}: screening_ref is empty or not a reference from a screening list"
    ref = validate_ref(typed)
    where = f"row {number} ({ref})"
    if ref in seen:
        return f"{where}: the same reference is on row {seen[ref]}; keep one row per person"
    seen[ref] = number
    person = waiting.get(ref)
    if person is None:
        return f"{where}: unknown person: no one waiting for screening in this workspace has this reference"
    if any(
        row.get(col) and row[col].lstrip("'") != person[col]
        for col in ("practice_code", "patient_id")
    ):
        return f"{where}: unknown person: practice_code or patient_id differ from the person listed with this reference"
    return _decision(number, ref, row)


def _decision(number: int, ref: str, row: dict) -> Decision | str:
    where = f"row {number} ({ref})"
    decision = row.get("decision", "").lower()
    reason_text = row.get("reason_text") or None
    if decision not in DECISIONS:
        return f"{where}: decision must be include or exclude"
    if decision == "include":
        if row.get("reason") or reason_text:
            return f"{where}: include with a reason; clear the reason or make the decision exclude"
        return Decision(number, ref, decision, None, None)
    reason = reason_code(row.get("reason", ""))
    if reason is None:
        return f"{where}: unknown reason; use {', '.join(REASONS)}"
    if reason == "other" and not reason_text:
        return f"{where}: reason other needs reason_text saying why"
    return Decision(number, ref, decision, reason, reason_text)


def _one_run(path: Path, named: set[str], waiting: dict) -> str:
    runs = sorted({waiting[ref]["run_id"] for ref in named})
    if len(runs) > 1:
        raise UsageError(
            f"{path}: mixes the screening lists of runs {', '.join(runs)}; import each run's list on its own"
        )
    if not runs:
        return ""
    return runs[0]


def _missing(named: set[str], waiting: dict, run_id: str) -> list[str]:
    """Listed people of the file's run, at the practices the file covers, with no row."""
    practices = {waiting[ref]["practice_code"] for ref in named}
    missing = [
        ref
        for ref, p in waiting.items()
        if p["run_id"] == run_id and p["practice_code"] in practices and ref not in named
    ]
    if not missing:
        return []
    shown = ", ".join(missing[:SHOWN_REFS]) + (
        f" and {len(missing) - SHOWN_REFS} more" if len(missing) > SHOWN_REFS else ""
    )
    return [f"missing rows: {len(missing)} listed people have no row ({shown}); add them back"]


def _summary(path: Path, problems: list[str]) -> str:
    count = f"{len(problems)} problems: " if len(problems) > 1 else ""
    return f"{path}: {count}{'; '.join(problems)}; nothing was imported: fix the file and import it again"


def _store(con, decisions: list[Decision], *, run_id: str, operator: str, sha: str) -> None:
    at = now()
    con.begin()
    try:
        db.run(con, "screening/replace_decisions", run_id=run_id, refs=[d.ref for d in decisions])
        for d in decisions:
            db.run(
                con,
                "screening/insert_decision",
                ref=d.ref,
                decision=d.decision,
                reason=d.reason,
                reason_text=d.reason_text,
                decided_at=at,
                imported_by=operator,
                source_sha256=sha,
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
