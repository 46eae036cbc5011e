"""Every stage of `cohort run`, `cohort check` and `cohort impact`, declared once.

STAGES names each stage, its progress label and its function; RUN, CHECK and
IMPACT are the orders the three commands run them in, through ``run_stages``
(which times each stage and shows its progress). A stage takes the typed state
(pipeline/state.py; RunState for the run-only stages) and adds to it. The
heavy lifting lives in the areas' own packages; these functions only wire them
together. The late-index-date rule is ``check_index_date``, here only.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import duckdb

from pipeline import db
from pipeline.errors import UsageError, ValidationFailed
from pipeline.extract import load_extracts
from pipeline.journal import fault
from pipeline.state import StudyState

log = logging.getLogger(__name__)


def check_index_date(con: duckdb.DuckDBPyConnection, index_date: dt.date | None) -> None:
    """The late-index-date rule: an index date after any practice's extract date is refused."""
    if index_date is None:
        return
    late = db.run(con, "run/late_index_date", index_date=index_date).fetchall()
    if late:
        code, extract_date = late[0]
        raise UsageError(
            f"--index-date {index_date} is after practice {code}'s extract date {extract_date}"
            f"{f' (and {len(late) - 1} more practices)' if len(late) > 1 else ''}; "
            "use an index date on or before every extract date"
        )


def set_index_dates(con: duckdb.DuckDBPyConnection, index_date: dt.date | None) -> None:
    """run_practices: INDEX_DATE for every practice, or each practice's extract date."""
    check_index_date(con, index_date)
    db.run(con, "run/run_practices", index_date=index_date)


def load_study(state: StudyState) -> None:
    from pipeline.codelists.repository import load_repository
    from pipeline.invitations import letter_text
    from pipeline.study.model import load_study as _load

    repo = load_repository(state.options.codelists_dir)
    state.study = _load(state.options.study_path, repository=repo)
    letter_text(state.study)  # a bad letter: mapping stops the run here, not at the end
    state.codelists = [
        repo.get(name, version) for _role, name, version in state.study.codelist_refs()
    ]


def load(state: StudyState) -> None:
    from pipeline.invitations import check_practice_contacts, letter_text

    state.engine = {"name": "duckdb", "duckdb_version": duckdb.__version__}
    state.load = load_extracts(state.con, list(state.options.extracts))
    check_practice_contacts(
        letter_text(state.study), state.load.manifests, study_source=state.options.study_path
    )


def index_dates(state: StudyState) -> None:
    set_index_dates(state.con, state.options.index_date)
    db.script(state.con, "run/study_parameters")
    rows = [(k, str(v)) for k, v in sorted(state.study.parameters().items())]
    state.con.executemany("INSERT INTO study_parameters VALUES (?, ?)", rows)


def warn(state: StudyState) -> None:
    """Stale extract, index date before the data, unreviewed codelists: for the summary and report."""
    from pipeline.report.warnings import find_warnings

    found = find_warnings(
        state.con,
        codelists=state.codelists,
        letter_date=state.options.letter_date or dt.date.today(),
        index_date=state.options.index_date,
    )
    state.warnings += found


def _validate(state: StudyState, suites) -> None:
    from pipeline.validation import run_suites

    summary = run_suites(state.con, list(suites), out_dir=state.validation_dir)
    state.validation.append(summary)
    if state.stop_on_blocking:
        summary.raise_if_blocking()


def validate_extract(state: StudyState) -> None:
    from pipeline.validation import EXTRACT_SUITES

    _validate(state, EXTRACT_SUITES)


def codelists(state: StudyState) -> None:
    from pipeline.codelists.compile import build_codelist_table

    build_codelist_table(state.con, state.codelists)


def no_workspace(state: StudyState) -> None:
    """Empty ledger, do-not-contact and screening tables: impact and check use no workspace."""
    db.run(state.con, "study/no_prior_invitations")
    db.run(state.con, "study/no_do_not_contact")
    db.run(state.con, "study/no_screened_out")


def workspace_state(state) -> None:
    state.workspace.copy_into_run(state.con, study=state.study.name)


def study(state) -> None:
    from pipeline.study.execute import format_attrition, run_study

    result = run_study(state.con, state.study)
    state.attrition_text = format_attrition(result.attrition)


def check_counts(state) -> None:
    from pipeline.commands.check import count_extract

    count_extract(state)


def check_codes(state) -> None:
    from pipeline.commands.check import count_codes

    count_codes(state)


def validate_cohort(state) -> None:
    _validate(state, ("cohort",))


def invitations(state) -> None:
    """Who is chosen within capacity; whether a GP screens them first (run record)."""
    from pipeline.invitations import select_invitations
    from pipeline.screening import screening_settings

    state.screening = screening_settings(
        study=state.study,
        screening=state.options.screening,
        reason=state.options.screening_reason,
    )

    with state.workspace.state(read_only=True) as ws_con:
        refs = {r[0] for r in ws_con.execute("SELECT invite_ref FROM ledger").fetchall()}
    state.ranking = ranking(state)
    state.invited = select_invitations(
        state.con,
        run_id=state.run_id,
        study_name=state.study.name,
        existing_refs=refs,
        max_per_practice=state.ranking["capacity_per_practice"],
        seed=state.options.seed,
    )


def ranking(state) -> dict:
    """How this run ranks within capacity, for the run record: letters per practice
    (--max-invites-per-practice, else the study's capacity_per_practice), and the seed."""
    chosen = state.options.max_invites_per_practice
    study_cap = state.study.capacity_per_practice
    source = "--max-invites-per-practice" if chosen is not None else "study"
    return {
        "capacity_per_practice": chosen if chosen is not None else study_cap,
        "capacity_from": source if (chosen or study_cap) is not None else None,
        "seed": state.options.seed,
        "order": "population.score descending, then sha256(study|seed|practice_code|patient_id)",
    }


def validate_invitations(state) -> None:
    _validate(state, ("invitations",))


def outputs(state) -> None:
    """Letters and mail-merge lists; or, when a GP screens the run, screening lists only."""
    from pipeline.invitations import write_outputs

    if state.screening.get("mode") == "required":
        from pipeline.invitations.practice_settings import store_practice_letters
        from pipeline.screening import write_screening_lists

        store_practice_letters(state.con, state.load.manifests)  # kept for `cohort release`
        state.files += write_screening_lists(state.con, state.stage_dir, study=state.study)
        return

    letter_date = state.options.letter_date or dt.date.today()
    state.files += write_outputs(
        state.con,
        state.stage_dir,
        study=state.study,
        letter_date=letter_date,
        reply_by=letter_date + dt.timedelta(days=state.options.reply_days),
        pdf_mode=state.options.pdf,
        manifests=state.load.manifests,
        progress=state.progress,
    )


def record_and_report(state) -> None:
    """The run record (closes the run database, then hashes it) and report.html."""
    from pipeline.audit import write_run_record
    from pipeline.report import write_report

    write_run_record(state)
    write_report(state.stage_dir, state=state)


def commit(state) -> None:
    """The commit point (pipeline/journal.py): ledger and run row in one transaction, then
    the folder moves into place and the run is logged; Ctrl-C waits until that is done."""
    from pipeline import journal
    from pipeline.invitations import commit_invitations
    from pipeline.screening.mode import ledger_status, run_screening

    if state.con is not None:
        state.con.execute("CHECKPOINT")
        state.con.close()
        state.con = None
    ws = state.workspace
    from pipeline.audit.verify_state import run_refs_sha256

    intent = journal.with_details(
        ws, state.intent, study=state.study.name, invited=state.invited, screening=state.screening,
        ledger_refs_sha256=run_refs_sha256(state.stage_dir / "run.duckdb"),
    )  # fmt: skip

    def ledger(ws_con) -> None:
        commit_invitations(
            ws_con, run_db=state.stage_dir / "run.duckdb", run_id=state.run_id,
            study_name=state.study.name, started_at=state.started_at,
            stage_dir=intent.stage, out_dir=intent.out, in_transaction=True,
            status=ledger_status(state.screening), screening=run_screening(state.screening),
            screening_reason=state.screening.get("reason"),
        )  # fmt: skip

    done = journal.commit_and_finish(ws, intent, ledger)
    if not done.published:
        raise journal.PublishBlocked(
            f"{done.reason}; nothing was published and the run's {done.withdrawn} invitation(s) "
            "were withdrawn (logged): run again with a new or empty --out"
        )
    state.status = "published"


def remove_invitation_outputs(state) -> None:
    """A run that failed validation must not leave anything that could be mailed."""
    from pipeline.invitations.outputs import MAILABLE

    stage: Path = state.stage_dir
    for name in MAILABLE:
        for path in stage.glob(name):
            path.unlink(missing_ok=True)
    for folder in ("practices", "screening"):
        if (stage / folder).exists():
            import shutil

            shutil.rmtree(stage / folder)


class Stage(NamedTuple):
    name: str
    label: str
    fn: Callable


def counts(name: str, state: StudyState) -> dict[str, int]:
    """What a finished stage's progress line counts: rows loaded, patients judged, invited."""
    if name == "load" and state.load is not None:
        return {"rows_loaded": sum(state.load.row_counts.values())}
    if name == "study" and state.con is not None:
        return {"patients_judged": db.run(state.con, "run/count_population").fetchone()[0]}
    if name == "invitations":
        return {"invited": state.invited}  # a RunState
    return {}


# Every stage, once. Add a stage here and name it in the orders below.
STAGES = {
    s.name: s
    for s in (
        Stage("study_definition", "Reading the study and its codelists", load_study),
        Stage("load", "Loading practice extracts", load),
        Stage("index_dates", "Setting index dates", index_dates),
        Stage("warnings", "Checking extract dates and codelist reviews", warn),
        Stage("validate_extract", "Validating the extracts", validate_extract),
        Stage("codelists", "Compiling codelists", codelists),
        Stage("no_workspace", "No workspace: no earlier invitations or exclusions", no_workspace),
        Stage("workspace", "Reading the ledger and do-not-contact list", workspace_state),
        Stage("study", "Applying the study rules", study),
        Stage("validate_cohort", "Validating the cohort", validate_cohort),
        Stage("invitations", "Choosing invitations", invitations),
        Stage("validate_invitations", "Validating the invitation list", validate_invitations),
        Stage("outputs", "Writing letters, or the GP screening lists", outputs),
        Stage("record", "Writing the run record and report", record_and_report),
        Stage("commit", "Committing the ledger and publishing the run", commit),
        Stage("check_counts", "Counting patients, records and coding systems", check_counts),
        Stage("check_codes", "Counting codes in no codelist", check_codes),
    )
}
SHARED = ("study_definition", "load", "index_dates")
RUN = SHARED + (
    "warnings", "validate_extract", "codelists", "workspace", "study", "validate_cohort", "invitations",
    "validate_invitations", "outputs", "record", "commit",
)  # fmt: skip
CHECK = SHARED + ("check_counts", "warnings", "validate_extract", "codelists", "check_codes")
IMPACT = (
    "load",
    "index_dates",
    "codelists",
    "no_workspace",
)  # study given, codelists both versions
PIPELINE = [STAGES[name] for name in RUN]


ENGINES = ("duckdb", "spark")


def stage_function(state: StudyState, name: str) -> Callable:
    """The function of stage NAME for the run's engine: the four stages that touch the
    extract's records differ on Spark (pipeline/engines/spark/stages.py); every other
    stage is the same on both engines."""
    if state.options.engine == "spark":
        from pipeline.engines.spark.stages import STAGES as SPARK_STAGES

        return SPARK_STAGES.get(name, STAGES[name].fn)
    return STAGES[name].fn


def run_stages(state: StudyState, names: tuple[str, ...], progress) -> None:
    """Run the stages NAMES in order on STATE, timing each and showing its progress."""
    for name in names:
        stage = STAGES[name]
        with progress.step(stage.label):
            started = time.perf_counter()
            stage_function(state, name)(state)
            state.timings[name] = round(time.perf_counter() - started, 3)
            progress.count(**counts(name, state))
        fault(f"after_{name}")  # test-only kill point (tests/faults)


__all__ = ["CHECK", "IMPACT", "PIPELINE", "RUN", "STAGES", "ValidationFailed", "run_stages"]
