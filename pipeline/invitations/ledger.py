"""The workspace ledger: a run's invitations, committed once and all together.

``commit_invitations`` puts the run row, every invitation and every deferred
patient into ``state.duckdb`` in one transaction, after the run's files are all
written; the orchestrator then moves the staging folder into place and marks
the run published (``Workspace.recover`` finishes that after a crash). A run
stopped before the commit leaves nothing in the ledger.

Withdrawing a run whose letters were never sent is pipeline/invitations/rollback.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import WorkspaceError
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
    out_dir: Path | str,
    status: str = "active",
    screening: str = "not_required",
    screening_reason: str | None = None,
    in_transaction: bool = False,
) -> int:
    """Commit the run (status ``committed``), its invitations and deferred patients; return the invitations.

    RUN_DB is the closed run database holding ``invitations`` and ``deferred``.
    STATUS is the ledger status of the invitations: ``active`` (letters written
    now) or ``awaiting_screening`` (a GP decides first; runs.SCREENING ``awaiting``).
    STAGE_DIR and OUT_DIR are stored as given (the orchestrator passes them
    relative to the workspace). IN_TRANSACTION: the caller's transaction
    (pipeline/journal.py's commit point) commits, not this function.
    """
    facts = {"run_id": run_id, "study": study_name, "started_at": started_at,
             "stage_dir": stage_dir, "out_dir": out_dir, "status": status,
             "screening": {"screening": screening, "screening_reason": screening_reason}}  # fmt: skip
    db.run(state_con, "invitations/attach_run", path=str(run_db))
    try:
        if in_transaction:
            return _commit(state_con, **facts)
        state_con.begin()
        try:
            count = _commit(state_con, **facts)
            state_con.commit()
        except BaseException:
            state_con.rollback()
            raise
    finally:
        db.run(state_con, "invitations/detach_run")
    return count


def _commit(
    con, *, run_id: str, study: str, started_at, stage_dir, out_dir, status: str,
    screening: dict,
) -> int:  # fmt: skip
    assert status in ("active", "awaiting_screening"), status
    _check_clashes(con, run_id=run_id, study=study)
    params = {"run_id": run_id, "study": study, "committed_at": now()}
    db.run(
        con,
        "invitations/commit_run",
        **params,
        **screening,
        started_at=started_at,
        stage_dir=str(stage_dir),
        out_dir=str(out_dir),
    )
    (count,) = db.run(con, "invitations/commit_ledger", **params, status=status).fetchone()
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
