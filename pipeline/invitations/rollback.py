"""Withdrawing a run whose letters were never sent (`cohort rollback`).

The run's invitations stay in the ledger, marked ``rolled_back``, so its
patients are invitable again; the run row records who, when and why. The
files that could still be posted (mail-merge lists, letters, the nurse's list)
are removed from the run folder, which gains ROLLED_BACK.txt; the run database,
quarantine and deferred lists and reports stay. Refused once any invitation of
the run has an outcome recorded: then its letters were sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import UsageError, WorkspaceError
from pipeline.fsutil import atomic_write_text
from pipeline.invitations.outputs import MAILABLE  # files that could be mailed or used to contact
from pipeline.workspace import now

NOTE = "ROLLED_BACK.txt"


@dataclass(frozen=True)
class RollbackSummary:
    """What a rollback did: ids, counts and file names only."""

    run_id: str
    study: str
    withdrawn: int
    practices: int
    deferred: int
    reason: str
    operator: str
    rolled_back_at: str
    out_dir: str
    files_removed: tuple[str, ...]


def rollback_run(
    state_con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    reason: str,
    operator: str,
    ws=None,
    in_transaction: bool = False,
) -> RollbackSummary:
    """Withdraw RUN_ID: check it may be, remove its mailable files, then mark the ledger in one transaction.

    Files go first: a crash in between leaves the ledger still active (nobody
    is invited twice) and running the rollback again finishes it. The run
    folder is found through WS (stored relative to it); a folder outside a
    copied or moved workspace is refused (Workspace.resolve), so a copy never
    touches the original's letters.
    """
    reason = reason.strip()
    if not reason:
        raise UsageError("--reason is empty; say why the run's letters were not sent")
    study, stored = _rollbackable(state_con, run_id)
    out_dir = str(ws.resolve(stored)) if ws is not None else stored
    removed = withdraw_files(Path(out_dir))
    at = now()
    withdrawn, deferred = _mark_rolled_back(
        state_con, run_id=run_id, at=at, operator=operator, reason=reason,
        in_transaction=in_transaction,
    )  # fmt: skip
    return RollbackSummary(
        run_id=run_id,
        study=study,
        withdrawn=len(withdrawn),
        practices=len({code for _, code in withdrawn}),
        deferred=deferred,
        reason=reason,
        operator=operator,
        rolled_back_at=at.isoformat(),
        out_dir=out_dir,
        files_removed=tuple(removed),
    )


def _mark_rolled_back(
    con, *, run_id: str, at, operator: str, reason: str, in_transaction: bool = False
) -> tuple[list[tuple], int]:
    if not in_transaction:
        con.begin()
    try:
        withdrawn = db.run(con, "invitations/rollback_ledger", run_id=run_id).fetchall()
        db.run(
            con, "invitations/rollback_run", run_id=run_id, at=at, operator=operator, reason=reason
        )
        (deferred,) = db.run(con, "invitations/rollback_deferred", run_id=run_id).fetchone()
        if not in_transaction:
            con.commit()
    except BaseException:
        if not in_transaction:
            con.rollback()
        raise
    return withdrawn, deferred


def _rollbackable(con, run_id: str) -> tuple[str, str]:
    row = db.run(con, "invitations/rollback_find", run_id=run_id).fetchone()
    if row is None:
        raise WorkspaceError(
            f"no run {run_id} in this workspace's ledger; check the run id (its folder name under runs/)"
        )
    _, study, status, out_dir, rolled_back_at, answered = row
    if status == "rolled_back":
        raise WorkspaceError(
            f"run {run_id} was already rolled back at {rolled_back_at:%Y-%m-%d %H:%M} UTC; nothing to do"
        )
    if answered:
        raise WorkspaceError(
            f"run {run_id}: {answered} of its invitations already have an outcome recorded, so its letters "
            "were sent; a sent letter cannot be withdrawn: record replies and refusals as outcomes instead"
        )
    return study, out_dir


def withdraw_files(folder: Path) -> list[str]:
    """Remove the run folder's mailable files; their paths relative to FOLDER, sorted."""
    if not folder.is_dir():
        return []
    found = sorted(
        {path for pattern in MAILABLE for path in folder.glob(pattern) if path.is_file()}
    )
    for path in found:
        path.unlink()
    return [path.relative_to(folder).as_posix() for path in found]


def mark_folder(summary: RollbackSummary) -> Path | None:
    """Leave ROLLED_BACK.txt in the run folder saying what happened (no patient data)."""
    folder = Path(summary.out_dir)
    if not folder.is_dir():
        return None
    note = folder / NOTE
    atomic_write_text(
        note,
        f"Run {summary.run_id} was rolled back at {summary.rolled_back_at} UTC by {summary.operator}.\r\n"
        f"Reason: {summary.reason}\r\n"
        f"Its {summary.withdrawn} invitations were withdrawn and its letters and mail-merge lists removed;\r\n"
        "those patients can be invited again by a later run.\r\n",
    )
    return note


# --- the commit point's hooks for `cohort run` (pipeline/journal.py, HOOKS["run"]) ---------


def published(con, intent) -> None:
    """The run's folder is in place: committed becomes published."""
    con.execute(
        "UPDATE runs SET status = 'published' WHERE run_id = $r AND status = 'committed'",
        {"r": intent.run_id},
    )


def withdraw(con, intent, reason: str) -> int:
    """The run's folder could not be published: withdraw its invitations (inside CON's transaction)."""
    withdrawn = db.run(con, "invitations/rollback_ledger", run_id=intent.run_id).fetchall()
    db.run(
        con,
        "invitations/rollback_run",
        run_id=intent.run_id,
        at=now(),
        operator="cohort (not published)",
        reason=f"not published: {reason}"[:500],
    )
    return len(withdrawn)


KEY = "run_id"  # a run's audit entries name it by its run id
FAILED = "run_failed"  # logged for a run abandoned before its commit


def facts(ws, intent) -> dict:
    """What the run entry says of its published folder: the record's hash, files after it."""
    from pipeline.audit.entries import published_facts

    return {"out_dir": intent.out, **published_facts(intent.out_dir(ws))}


def withdrawn_entries(intent, withdrawn: int, reason: str) -> list[tuple[str, dict]]:
    """A run that could not be published: its entry, then the rollback of its invitations."""
    from pipeline.audit.entries import rollback_details

    return [
        ("run", {**intent.details, "status": "withdrawn_unpublished", "invited": 0}),
        ("rollback", rollback_details(
            run_id=intent.run_id, reason=f"not published: {reason}", invitations=withdrawn,
        )),
    ]  # fmt: skip
