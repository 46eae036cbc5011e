"""The workspace ledger: commit a run's invitations once, withdraw a run never sent.

``commit_invitations`` puts the run row, every invitation and every deferred
patient into ``state.duckdb`` in one transaction, after the run's files are all
written; the orchestrator then moves the staging folder into place and marks
the run published (``Workspace.recover`` finishes that after a crash). A run
stopped before the commit leaves nothing in the ledger.

``rollback_run`` marks a run's invitations rolled back so its patients are
invitable again; it refuses once any of them has an outcome (its letters
were sent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import UsageError, WorkspaceError
from pipeline.fsutil import atomic_write_text
from pipeline.workspace import now


def ledger_refs(state_con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every reference the workspace has issued: new ones must differ."""
    return {ref for (ref,) in db.run(state_con, "invitations/ledger_refs").fetchall()}


def commit_invitations(
    state_con: duckdb.DuckDBPyConnection,
    *,
    run_db: Path,
    run_id: str,
    study_name: str,
    started_at: dt.datetime,
    stage_dir: Path,
    out_dir: Path,
) -> int:
    """Commit the run (status ``committed``), its invitations and deferred patients; return the invitations.

    RUN_DB is the closed run database holding ``invitations`` and ``deferred``.
    """
    db.run(state_con, "invitations/attach_run", path=str(run_db))
    try:
        state_con.begin()
        try:
            count = _commit(
                state_con,
                run_id=run_id,
                study=study_name,
                started_at=started_at,
                stage_dir=stage_dir,
                out_dir=out_dir,
            )
            state_con.commit()
        except BaseException:
            state_con.rollback()
            raise
    finally:
        db.run(state_con, "invitations/detach_run")
    return count


def _commit(con, *, run_id: str, study: str, started_at, stage_dir: Path, out_dir: Path) -> int:
    _check_clashes(con, run_id=run_id, study=study)
    params = {"run_id": run_id, "study": study, "committed_at": now()}
    db.run(
        con,
        "invitations/commit_run",
        **params,
        started_at=started_at,
        stage_dir=str(stage_dir),
        out_dir=str(out_dir),
    )
    (count,) = db.run(con, "invitations/commit_ledger", **params).fetchone()
    db.run(con, "invitations/commit_deferred", **params)
    return count


def _check_clashes(con, *, run_id: str, study: str) -> None:
    already, ref_taken, other_run, run_exists = db.run(
        con, "invitations/commit_clashes", run_id=run_id, study=study
    ).fetchone()
    assert other_run == 0, f"run database holds invitations of another run than {run_id}"
    if run_exists:
        raise WorkspaceError(f"run {run_id} is already in the workspace ledger; start a new run")
    if already or ref_taken:
        raise WorkspaceError(
            f"run {run_id}: {already} of its invitees are already invited to {study} and {ref_taken} of its "
            "references are taken, in the workspace ledger (another run committed meanwhile); "
            "nothing was committed: run it again"
        )


@dataclass(frozen=True)
class RollbackSummary:
    """What a rollback did: ids and counts only, fit for the audit log."""

    run_id: str
    study: str
    withdrawn: int
    practices: int
    deferred: int
    reason: str
    operator: str
    rolled_back_at: str
    out_dir: str

    def audit_entry(self) -> dict:
        return {"event": "rollback", **asdict(self)}


def rollback_run(
    state_con: duckdb.DuckDBPyConnection, *, run_id: str, reason: str, operator: str
) -> RollbackSummary:
    """Withdraw RUN_ID's invitations (its letters were never sent) in one transaction."""
    if not reason.strip():
        raise UsageError("--reason is empty; say why the run's letters were not sent")
    study, out_dir = _rollbackable(state_con, run_id)
    at = now()
    state_con.begin()
    try:
        withdrawn = db.run(state_con, "invitations/rollback_ledger", run_id=run_id).fetchall()
        db.run(
            state_con,
            "invitations/rollback_run",
            run_id=run_id,
            at=at,
            operator=operator,
            reason=reason.strip(),
        )
        (deferred,) = db.run(state_con, "invitations/rollback_deferred", run_id=run_id).fetchone()
        state_con.commit()
    except BaseException:
        state_con.rollback()
        raise
    return RollbackSummary(
        run_id=run_id,
        study=study,
        withdrawn=len(withdrawn),
        practices=len({p for _, p in withdrawn}),
        deferred=deferred,
        reason=reason.strip(),
        operator=operator,
        rolled_back_at=at.isoformat(),
        out_dir=out_dir,
    )


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
            f"run {run_id}: {answered} of its invitations already have an outcome recorded, so its letters were sent; "
            "a sent letter cannot be withdrawn: record replies and refusals as outcomes instead"
        )
    return study, out_dir


def mark_folder(summary: RollbackSummary) -> Path | None:
    """Leave ROLLED_BACK.txt in the run folder so nobody posts its letters later."""
    folder = Path(summary.out_dir)
    if not folder.is_dir():
        return None
    note = folder / "ROLLED_BACK.txt"
    atomic_write_text(
        note,
        f"Run {summary.run_id} was rolled back at {summary.rolled_back_at} UTC by {summary.operator}.\r\n"
        f"Reason: {summary.reason}\r\n"
        f"Its {summary.withdrawn} invitations were withdrawn: do NOT post the letters in this folder.\r\n",
    )
    return note
