"""`cohort audit verify`, part 3: what `cohort release` and `cohort remind` logged.

A ``release`` entry records the sha256 of every file it put in the run folder
and the SHA-256 of the sorted references the GP included and excluded; a
``reminder`` entry the sha256 of every file of its folder and of its sorted
references. Each is checked against the files (changed or deleted; a rolled-back
run's removed letters may be missing, not changed) and against the ledger rows
(included: ``active``, or ``rolled_back`` after a rollback; excluded:
``screened_out``) and the ``reminder_letters`` rows. Entries written before
these hashes were recorded are checked as far as they go. Findings name the
entry, the run or reminder and the file: never a person.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pipeline.audit.runs import resolve_dir
from pipeline.audit.verify_state import refs_sha256

WITHDRAWN = "withdrawn_unpublished"
INCLUDED = ("active", "rolled_back")


def check_letters(ws, entries: list[dict], report, *, check_file) -> None:
    """Append a problem to REPORT for each release or reminder file or row that changed.

    CHECK_FILE(path, sha256, source=, report=) is verify's own file check."""
    rolled_back = {e["details"].get("run_id") for e in entries if e["kind"] == "rollback"}
    for entry in entries:
        details = entry["details"]
        if entry["kind"] not in ("release", "reminder") or details.get("status") == WITHDRAWN:
            continue
        if details.get("outputs") and details.get("out_dir"):
            _check_files(ws, entry, report, check_file=check_file,
                         rolled_back=details.get("run_id") in rolled_back)  # fmt: skip
    if ws.state_path.exists():
        with ws.state(read_only=True) as con:
            _check_released(con, entries, report)
            _check_reminded(con, entries, report)


def _where(entry: dict) -> str:
    d = entry["details"]
    what = f"reminder {d.get('reminder_id')}" if entry["kind"] == "reminder" else "release"
    return f"audit.log entry seq {entry['seq']} ({what} of run {d.get('run_id')})"


def _check_files(ws, entry: dict, report, *, check_file, rolled_back: bool) -> None:
    out_dir = resolve_dir(ws, entry["details"]["out_dir"])
    for rel, sha in sorted(entry["details"]["outputs"].items()):
        path = Path(out_dir) / rel
        if rolled_back and not path.exists():
            report.notes.append(f"{path}: removed when the run was rolled back")
            continue
        check_file(path, sha, source=_where(entry), report=report)


def _check_released(con, entries: list[dict], report) -> None:
    rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for run_id, ref, status in con.execute(
        "SELECT run_id, invite_ref, status FROM ledger"
    ).fetchall():
        rows[run_id].append((ref, status))
    for entry in entries:
        d = entry["details"]
        if entry["kind"] != "release" or d.get("status") == WITHDRAWN:
            continue
        run_rows = rows.get(d.get("run_id"), [])
        for field, statuses, who in (
            ("included_refs_sha256", INCLUDED, "included"),
            ("excluded_refs_sha256", ("screened_out",), "excluded"),
        ):
            digest = d.get(field)
            if digest and refs_sha256(r for r, s in run_rows if s in statuses) != digest:
                report.problems.append(
                    f"ledger: the invitations of run {d.get('run_id')} the GP {who} differ from those "
                    f"{_where(entry)} recorded; ledger rows or their statuses were changed"
                )


def _check_reminded(con, entries: list[dict], report) -> None:
    (exists,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reminder_letters'"
    ).fetchone()
    held: dict[str, list[str]] = defaultdict(list)
    if exists:
        rows = con.execute("SELECT reminder_id, invite_ref FROM reminder_letters").fetchall()
        for reminder_id, ref in rows:
            held[reminder_id].append(ref)
    logged = {}
    for entry in entries:
        d = entry["details"]
        if entry["kind"] == "reminder" and d.get("status") != WITHDRAWN:
            logged[d.get("reminder_id")] = entry
    for reminder_id, entry in logged.items():
        refs, d = held.get(reminder_id, []), entry["details"]
        digest = d.get("letters_refs_sha256")
        if len(refs) != d.get("letters", len(refs)) or digest and refs_sha256(refs) != digest:
            report.problems.append(
                f"reminder_letters: reminder {reminder_id} has {len(refs)} row(s) that differ from the "
                f"{d.get('letters')} {_where(entry)} recorded; reminder rows were changed"
            )
    for reminder_id in sorted(set(held) - set(logged)):
        report.problems.append(
            f"reminder_letters: {len(held[reminder_id])} row(s) of reminder {reminder_id}, which "
            "audit.log never logged; rows were added to state.duckdb, or the entry was cut from the log"
        )
