"""`cohort run`: load → validate → compile → study → invite → commit, in one place.

A run is built in a hidden staging folder beside its final folder, recorded in
the workspace's commit journal before it exists (pipeline/journal.py). Nothing
is visible in the run folder, and nothing is in the workspace ledger, until
every file has been written: then the ledger is committed in one transaction,
the folder is moved into place in one rename and the run is logged (the next
command finishes any of that a crash interrupted, or withdraws the run if its
folder cannot be published). A run stopped by bad input leaves no run folder at
all; a run stopped by a blocking validation failure leaves its validation
results and report, but never a mailmerge.csv or letters.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import audit, db, journal
from pipeline.errors import UsageError, ValidationFailed, WorkspaceError, describe_os_error
from pipeline.progress import Progress
from pipeline.screening.mode import check_screening_options
from pipeline.state import StudyOptions, StudyState
from pipeline.workspace import Workspace, now, operator

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RunOptions(StudyOptions):
    """`cohort run`'s options: the shared ones (extracts, study, index date,
    codelists) and the workspace, run folder and letters."""

    workspace: Path
    out: Path | None = None
    max_invites_per_practice: int | None = None
    seed: int = 0
    reply_days: int = 21
    pdf: str = "auto"  # auto | always | never
    screening: str | None = None  # None: the study's setting; "off" needs screening_reason
    screening_reason: str | None = None
    new_workspace: bool = False  # --new-workspace: make WORKSPACE if it does not exist
    memory_limit: str | None = None  # DuckDB memory_limit of run.duckdb (None: DuckDB's default)
    threads: int | None = None  # DuckDB threads of run.duckdb (None: one per CPU)


@dataclass(kw_only=True)
class RunState(StudyState):
    """What a run has learnt so far (the shared StudyState and the run's own parts)."""

    options: RunOptions
    run_id: str
    workspace: Workspace
    out_dir: Path
    stage_dir: Path
    started_at: dt.datetime
    intent: journal.Intent | None = None
    earlier_invitations: int = 0
    files: list[Path] = field(default_factory=list)
    invited: int = 0
    attrition_text: str = ""
    status: str = "started"
    progress: Progress | None = None  # stages report counts and sub-steps to it
    ranking: dict = field(default_factory=dict)  # capacity, its source, seed (run record)
    screening: dict = field(default_factory=dict)  # mode, reason, who chose it (run record)
    duckdb_settings: dict = field(default_factory=dict)  # run.duckdb's threads, memory_limit

    def __post_init__(self):
        self.validation_dir = self.stage_dir / "validation"


def new_run_id() -> str:
    return f"{now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def _out_dir(ws: Workspace, options: RunOptions, run_id: str) -> Path:
    out = options.out if options.out else ws.runs_dir / run_id
    out = out.resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            f"--out {out}: the folder exists and is not empty; give a new or empty folder"
        )
    return out


def execute(options: RunOptions, *, progress: Progress | None = None, announce=None) -> RunState:
    """Run the study end to end; raises CohortError (after cleaning up) when it stops.

    ANNOUNCE(text) is told, before anything else, how many earlier invitations
    the workspace holds (the CLI prints it: a run in the wrong workspace shows 0).
    """
    from pipeline.invitations import pdf

    progress = progress or Progress(quiet=True)
    pdf.renderer(options.pdf)  # PDFs wanted but nothing can print them: stop before anything
    check_screening_options(options.screening, options.screening_reason)
    ws = Workspace.for_run(options.workspace, new=options.new_workspace)
    with ws.lock("run"):
        _recover(ws)
        earlier, runs = ws.earlier_invitations()
        if announce is not None:
            announce(
                f"Workspace {ws.root.resolve()}: {earlier:,} earlier invitation(s) from {runs} run(s)."
            )
        state = _new_state(ws, options)
        state.earlier_invitations = earlier
        progress.bind(run_id=state.run_id)
        try:
            _stages(state, progress)
        except ValidationFailed as exc:
            state.status = "failed_validation"
            _finish_failed(state, exc)
            exc.out_dir = state.out_dir if state.out_dir.exists() else None
            raise
        except BaseException as exc:
            if _committed(state):
                _unfinished(state, exc)
            state.status = "failed"
            _discard(state)
            if isinstance(exc, Exception) and not isinstance(exc, journal.PublishBlocked):
                audit.log_run_failed(state, exc)  # an internal error is logged by type only
            raise
        return state


def _committed(state: RunState) -> bool:
    """Whether the run's ledger commit happened (then its staging must be kept for recovery)."""
    try:
        intent = state.intent
        pending = intent is not None and any(
            i.name == intent.name for i in journal.pending(state.workspace)
        )
        return pending and journal.committed(state.workspace, intent)
    except Exception:  # noqa: BLE001 - cannot tell: keep everything, recovery decides
        return True


def _unfinished(state: RunState, exc: BaseException) -> None:
    """A failure after the commit: nothing is undone; the next command finishes publishing."""
    state.status = "committed"
    if not isinstance(exc, Exception):
        raise exc
    raise WorkspaceError(
        f"run {state.run_id} committed its invitations but could not finish publishing "
        f"({describe_os_error(exc)}); nothing is lost: fix that, then any cohort command on this "
        "workspace (e.g. `cohort audit verify`) finishes it"
    ) from exc


def _new_state(ws: Workspace, options: RunOptions) -> RunState:
    run_id = new_run_id()
    out_dir = _out_dir(ws, options, run_id)
    stage_dir = ws.stage_dir_for(out_dir, run_id)
    started_at = now()
    intent = journal.begin(
        ws, kind="run", run_id=run_id, stage_dir=stage_dir, out_dir=out_dir, audit_kind="run",
        details={"run_id": run_id, "status": "published", "started_at": started_at.isoformat()},
    )  # fmt: skip
    return RunState(
        options=options, run_id=run_id, workspace=ws, out_dir=out_dir, stage_dir=stage_dir,
        started_at=started_at, intent=intent,
    )  # fmt: skip


def _recover(ws: Workspace) -> None:
    """Finish or undo what a crashed command left (and log it); check the log's end."""
    ws.recover()
    audit.check_log(ws)


def _stages(state: RunState, progress: Progress) -> None:
    from pipeline import stages

    options = state.options
    state.con = db.connect(
        state.stage_dir / "run.duckdb", threads=options.threads, memory_limit=options.memory_limit
    )
    state.duckdb_settings = db.settings(state.con)
    state.progress = progress
    try:
        stages.run_stages(state, stages.RUN, progress)
    finally:
        if state.con is not None:
            state.con.close()
            state.con = None
        if state.spark is not None:
            from pipeline.engines.spark.stages import release

            release(state.spark)


def _finish_failed(state: RunState, error: ValidationFailed) -> None:
    """Keep the validation results, record and report of a run that failed validation."""
    from pipeline import stages

    try:
        stages.remove_invitation_outputs(state)
        stages.record_and_report(state)
        journal.publish(state.workspace, state.intent)
    except Exception:  # noqa: BLE001 - the validation failure is what the user must see
        log.exception("could not keep the failed run's validation results")
        _discard(state)
    audit.log_run_failed(state, error)
    journal.forget(state.workspace, state.intent)


def _discard(state: RunState) -> None:
    if state.con is not None:
        state.con.close()
        state.con = None
    if state.intent is not None:
        journal.discard(state.workspace, state.intent)
    shutil.rmtree(state.stage_dir, ignore_errors=True)


def operator_name() -> str:
    return operator()
