"""The stages of `cohort run`, in order. Each takes the RunState and adds to it.

pipeline/run.py times each stage, shows its progress, and cleans up when one
raises. The heavy lifting lives in the areas' own packages; these functions
only wire them together.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from pipeline import db
from pipeline.errors import UsageError, ValidationFailed
from pipeline.extract import load_extracts

log = logging.getLogger(__name__)


def load_study(state) -> None:
    from pipeline.codelists.repository import load_repository
    from pipeline.invitations import letter_text
    from pipeline.study.model import load_study as _load

    repo = load_repository(state.options.codelists_dir)
    state.study = _load(state.options.study_path, repository=repo)
    letter_text(state.study)  # a bad letter: mapping stops the run here, not at the end
    state.codelists = [
        repo.get(name, version) for _role, name, version in state.study.codelist_refs()
    ]


def load(state) -> None:
    state.load = load_extracts(state.con, list(state.options.extracts))


def index_dates(state) -> None:
    index_date = state.options.index_date
    if index_date is not None:
        late = db.run(state.con, "run/late_index_date", index_date=index_date).fetchall()
        if late:
            code, extract_date = late[0]
            raise UsageError(
                f"--index-date {index_date} is after practice {code}'s extract date {extract_date}"
                f"{f' (and {len(late) - 1} more practices)' if len(late) > 1 else ''}; "
                "use an index date on or before every extract date"
            )
    db.run(state.con, "run/run_practices", index_date=index_date)
    db.script(state.con, "run/study_parameters")
    rows = [(k, str(v)) for k, v in sorted(state.study.parameters().items())]
    state.con.executemany("INSERT INTO study_parameters VALUES (?, ?)", rows)


def _validate(state, suites) -> None:
    from pipeline.validation import run_suites

    summary = run_suites(state.con, list(suites), out_dir=state.stage_dir / "validation")
    state.validation.append(summary)
    summary.raise_if_blocking()


def validate_extract(state) -> None:
    from pipeline.run import EXTRACT_SUITES

    _validate(state, EXTRACT_SUITES)


def codelists(state) -> None:
    from pipeline.codelists.compile import build_codelist_table

    build_codelist_table(state.con, state.codelists)


def workspace_state(state) -> None:
    state.workspace.copy_into_run(state.con, study=state.study.name)


def study(state) -> None:
    from pipeline.study.execute import format_attrition, run_study

    result = run_study(state.con, state.study)
    state.attrition_text = format_attrition(result.attrition)


def validate_cohort(state) -> None:
    _validate(state, ("cohort",))


def invitations(state) -> None:
    from pipeline.invitations import select_invitations

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
    from pipeline.invitations import write_outputs

    letter_date = state.options.letter_date or dt.date.today()
    state.files += write_outputs(
        state.con,
        state.stage_dir,
        study=state.study,
        letter_date=letter_date,
        reply_by=letter_date + dt.timedelta(days=state.options.reply_days),
        pdf_mode=state.options.pdf,
    )


def record_and_report(state) -> None:
    """The run record (closes the run database, then hashes it) and report.html."""
    from pipeline.audit import write_run_record
    from pipeline.report import write_report

    write_run_record(state)
    write_report(state.stage_dir, state=state)


def commit(state) -> None:
    """Ledger and run row in one transaction, then the folder moves into place."""
    from pipeline.invitations import commit_invitations
    from pipeline.workspace import publish_dir

    if state.con is not None:
        state.con.execute("CHECKPOINT")
        state.con.close()
        state.con = None
    with state.workspace.state() as ws_con:
        commit_invitations(
            ws_con,
            run_db=state.stage_dir / "run.duckdb",
            run_id=state.run_id,
            study_name=state.study.name,
            started_at=state.started_at,
            stage_dir=state.stage_dir,
            out_dir=state.out_dir,
        )
        publish_dir(state.stage_dir, state.out_dir)
        ws_con.execute(
            "UPDATE runs SET status = 'published' WHERE run_id = $r", {"r": state.run_id}
        )
    state.status = "published"


def remove_invitation_outputs(state) -> None:
    """A run that failed validation must not leave anything that could be mailed."""
    stage: Path = state.stage_dir
    for name in ("mailmerge.csv", "nurse_list.csv"):
        (stage / name).unlink(missing_ok=True)
    practices = stage / "practices"
    if practices.exists():
        import shutil

        shutil.rmtree(practices)


PIPELINE = [
    ("study_definition", "Reading the study and its codelists", load_study),
    ("load", "Loading practice extracts", load),
    ("index_dates", "Setting index dates", index_dates),
    ("validate_extract", "Validating the extracts", validate_extract),
    ("codelists", "Compiling codelists", codelists),
    ("workspace", "Reading the ledger and do-not-contact list", workspace_state),
    ("study", "Applying the study rules", study),
    ("validate_cohort", "Validating the cohort", validate_cohort),
    ("invitations", "Choosing invitations", invitations),
    ("validate_invitations", "Validating the invitation list", validate_invitations),
    ("outputs", "Writing mail-merge lists and letters", outputs),
    ("record", "Writing the run record and report", record_and_report),
    ("commit", "Committing the ledger and publishing the run", commit),
]

__all__ = ["PIPELINE", "ValidationFailed"]
