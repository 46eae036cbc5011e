"""`cohort run`: load → validate → compile → study → invite → commit, in one place.

A run is built in a hidden staging folder beside its final folder. Nothing is
visible in the run folder, and nothing is in the workspace ledger, until every
file has been written: then the ledger is committed in one transaction and the
folder is moved into place in one rename (Workspace.recover finishes a move a
crash interrupted). A run stopped by bad input leaves no run folder at all; a
run stopped by a blocking validation failure leaves its validation results and
report, but never a mailmerge.csv or letters.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import audit, db
from pipeline.errors import UsageError, ValidationFailed
from pipeline.fsutil import private_dir
from pipeline.progress import Progress
from pipeline.screening.mode import check_screening_options
from pipeline.state import StudyOptions, StudyState
from pipeline.workspace import Workspace, now, operator, publish_dir

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


@dataclass(kw_only=True)
class RunState(StudyState):
    """What a run has learnt so far (the shared StudyState and the run's own parts)."""

    options: RunOptions
    run_id: str
    workspace: Workspace
    out_dir: Path
    stage_dir: Path
    started_at: dt.datetime
    files: list[Path] = field(default_factory=list)
    invited: int = 0
    attrition_text: str = ""
    status: str = "started"
    progress: Progress | None = None  # stages report counts and sub-steps to it
    ranking: dict = field(default_factory=dict)  # capacity, its source, seed (run record)
    screening: dict = field(default_factory=dict)  # mode, reason, who chose it (run record)

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


def execute(options: RunOptions, *, progress: Progress | None = None) -> RunState:
    """Run the study end to end; raises CohortError (after cleaning up) when it stops."""
    from pipeline.invitations import pdf

    progress = progress or Progress(quiet=True)
    pdf.renderer(options.pdf)  # PDFs wanted but nothing can print them: stop before anything
    check_screening_options(options.screening, options.screening_reason)
    ws = Workspace.open(options.workspace)
    with ws.lock("run"):
        _recover(ws)
        run_id = new_run_id()
        out_dir = _out_dir(ws, options, run_id)
        state = RunState(
            options=options,
            run_id=run_id,
            workspace=ws,
            out_dir=out_dir,
            stage_dir=ws.stage_dir_for(out_dir, run_id),
            started_at=now(),
        )
        private_dir(state.stage_dir)
        progress.bind(run_id=run_id)
        try:
            _stages(state, progress)
        except ValidationFailed as exc:
            state.status = "failed_validation"
            _finish_failed(state, exc)
            exc.out_dir = state.out_dir if state.out_dir.exists() else None
            raise
        except BaseException as exc:
            state.status = "failed"
            _discard(state)
            if isinstance(exc, Exception):  # an internal error is logged by type only
                audit.log_run_failed(state, exc)
            raise
        audit.log_run(state)
        return state


def _recover(ws: Workspace) -> None:
    """Publish runs a crash left committed but unmoved, and log them; check the log's end."""
    from pipeline.screening import recover_releases

    audit.check_log(ws)
    for run_id, study, out_dir in ws.recover():
        audit.log_recovered_run(ws, run_id=run_id, study=study, out_dir=out_dir)
    recover_releases(ws)


def _stages(state: RunState, progress: Progress) -> None:
    from pipeline import stages

    state.con = db.connect(state.stage_dir / "run.duckdb")
    state.progress = progress
    try:
        stages.run_stages(state, stages.RUN, progress)
    finally:
        if state.con is not None:
            state.con.close()
            state.con = None


def _finish_failed(state: RunState, error: ValidationFailed) -> None:
    """Keep the validation results, record and report of a run that failed validation."""
    from pipeline import stages

    try:
        stages.remove_invitation_outputs(state)
        stages.record_and_report(state)
        publish_dir(state.stage_dir, state.out_dir)
    except Exception:  # noqa: BLE001 - the validation failure is what the user must see
        log.exception("could not keep the failed run's validation results")
        _discard(state)
    audit.log_run_failed(state, error)


def _discard(state: RunState) -> None:
    if state.con is not None:
        state.con.close()
        state.con = None
    shutil.rmtree(state.stage_dir, ignore_errors=True)


def operator_name() -> str:
    return operator()
