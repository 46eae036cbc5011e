"""`cohort audit verify`, part 2: the workspace state against what the log says happened.

The log is keyed (pipeline/audit/log.py); state.duckdb is not. So every table
that decides who is written to is checked against the entries that changed it:

- ledger: each run entry's ``invited`` count (and, for runs logged since keyed
  entries, the SHA-256 of its sorted invitation references) against the
  ledger rows of that run; rows of a run the log never mentions; rows marked
  rolled back against the rollback entries' counts;
- do-not-contact list: every entry (practice, keyed pseudonyms of patient id
  and NHS number) against the ``dnc_add`` entries, and removals against the
  ``dnc_remove`` entries' counts;
- outcomes: every (invite_ref, outcome, reason) against the ``outcome`` entries.

A row deleted, added or changed behind the tool's back shows as a difference.
Identifiers never appear in a finding: runs by id, people by pseudonym only.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from pipeline.audit.pseudo import Pseudonymiser


def refs_sha256(refs) -> str:
    """The hash a run entry records of its invitation references (sorted, one per line)."""
    return hashlib.sha256("\n".join(sorted(refs)).encode("utf-8")).hexdigest()


def run_refs_sha256(run_db) -> str:
    """refs_sha256 of the invitations in a (closed) run database, for the run's audit entry."""
    import duckdb

    with duckdb.connect(str(run_db), read_only=True) as con:
        return refs_sha256(
            r[0] for r in con.execute("SELECT invite_ref FROM invitations").fetchall()
        )


def check_state(ws, entries: list[dict], report) -> None:
    """Append a problem to REPORT for each difference between WS's state and ENTRIES."""
    if not ws.state_path.exists():
        return
    with ws.state(read_only=True) as con:
        _check_ledger(con, entries, report)
        _check_dnc(ws, con, entries, report)
        _check_outcomes(con, entries, report)


def _runs_logged(entries: list[dict]) -> dict[str, dict]:
    return {e["details"].get("run_id"): e["details"] for e in entries if e["kind"] == "run"}


def _check_ledger(con, entries: list[dict], report) -> None:
    logged = _runs_logged(entries)
    rows: dict[str, list[tuple[str, str]]] = {}
    for run_id, ref, status in con.execute(
        "SELECT run_id, invite_ref, status FROM ledger"
    ).fetchall():
        rows.setdefault(run_id, []).append((ref, status))
    for run_id, details in logged.items():
        _check_run_rows(run_id, details, rows.get(run_id, []), report)
    for run_id in sorted(set(rows) - set(logged)):
        report.problems.append(
            f"ledger: {len(rows[run_id])} invitation(s) of run {run_id}, which audit.log never logged; "
            "rows were added to state.duckdb, or the run's entry was cut from the log"
        )
    _check_rolled_back(entries, rows, report)


def _check_run_rows(run_id: str, details: dict, rows: list, report) -> None:
    expected = details.get("invited")
    if expected is None or details.get("status") == "withdrawn_unpublished" and not rows:
        return
    if details.get("status") != "withdrawn_unpublished" and len(rows) != expected:
        report.problems.append(
            f"ledger: run {run_id} has {len(rows)} invitation row(s) but audit.log says it made {expected}; "
            "ledger rows were deleted or added behind the tool's back"
        )
        return
    digest = details.get("ledger_refs_sha256")
    if digest and refs_sha256(ref for ref, _status in rows) != digest:
        report.problems.append(
            f"ledger: run {run_id}'s invitation references differ from those audit.log recorded; "
            "ledger rows were changed"
        )


def _check_rolled_back(entries: list[dict], rows: dict, report) -> None:
    said = Counter()
    for e in entries:
        if e["kind"] == "rollback":
            said[e["details"].get("run_id")] += int(
                e["details"].get("invitations_rolled_back") or 0
            )
    for run_id, run_rows in sorted(rows.items()):
        marked = sum(1 for _ref, status in run_rows if status == "rolled_back")
        if marked != said.get(run_id, 0):
            report.problems.append(
                f"ledger: run {run_id} has {marked} invitation(s) marked rolled back but audit.log's "
                f"rollback entries say {said.get(run_id, 0)}; invitation statuses were changed"
            )


def _check_dnc(ws, con, entries: list[dict], report) -> None:
    added = Counter(_dnc_key(e["details"]) for e in entries if e["kind"] == "dnc_add")
    removed = sum(int(e["details"].get("entries_removed") or 0) for e in entries
                  if e["kind"] == "dnc_remove")  # fmt: skip
    rows = con.execute(
        "SELECT practice_code, patient_id, nhs_number, removed_at IS NOT NULL FROM do_not_contact"
    ).fetchall()
    if not rows and not added:
        return
    pseudo = Pseudonymiser.for_workspace(ws)
    held = Counter(_row_key(pseudo, code, pid, nhs) for code, pid, nhs, _gone in rows)
    for key, n in sorted((held - added).items()):
        report.problems.append(
            f"do-not-contact list: {n} entr{'y' if n == 1 else 'ies'} ({_who(key)}) that no dnc_add entry "
            "of audit.log added; the list was edited behind the tool's back"
        )
    for key, n in sorted((added - held).items()):
        report.problems.append(
            f"do-not-contact list: {n} entr{'y' if n == 1 else 'ies'} that audit.log added ({_who(key)}) "
            "are missing; entries were deleted, so those people could be written to again"
        )
    gone = sum(1 for *_, was_removed in rows if was_removed)
    if gone > removed:
        report.problems.append(
            f"do-not-contact list: {gone} entries are marked removed but audit.log's dnc_remove entries "
            f"removed {removed}; entries were switched off behind the tool's back"
        )


def _dnc_key(details: dict) -> tuple:
    return (
        details.get("practice_code") or "",
        details.get("person") or "",
        details.get("nhs") or "",
    )


def _row_key(pseudo: Pseudonymiser, code, pid, nhs) -> tuple:
    person = pseudo.person(code, pid) if code and pid else ""
    return (code or "", person, pseudo.nhs(nhs) if nhs else "")


def _who(key: tuple) -> str:
    code, person, nhs = key
    return f"practice {code or '-'}, {person or nhs or 'unknown person'}"


def _check_outcomes(con, entries: list[dict], report) -> None:
    logged = Counter(
        (e["details"].get("invite_ref"), e["details"].get("outcome"), e["details"].get("reason"))
        for e in entries
        if e["kind"] == "outcome"
    )
    held = Counter(con.execute("SELECT invite_ref, outcome, reason FROM outcomes").fetchall())
    for (ref, outcome, _reason), n in sorted((held - logged).items(), key=str):
        report.problems.append(
            f"outcomes: {n} '{outcome}' outcome(s) for {ref} that audit.log never recorded; "
            "outcomes were added behind the tool's back"
        )
    for (ref, outcome, _reason), n in sorted((logged - held).items(), key=str):
        report.problems.append(
            f"outcomes: {n} '{outcome}' outcome(s) for {ref} recorded in audit.log are missing "
            "from state.duckdb; outcomes were deleted"
        )
