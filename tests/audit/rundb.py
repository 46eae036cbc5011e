"""Small real runs in a real workspace, without the extract loader or codelist files.

``make_run`` does what ``cohort run`` does after loading: index dates and study
parameters (sql/run), a tiny expanded codelist table, the workspace's ledger and
do-not-contact list copied in, the study's SQL, invitation selection and
outputs, the run record, the ledger commit, the atomic publish and the audit
entry. The patients are given as dicts over PATIENT defaults.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from pipeline import db
from pipeline.audit.entries import log_run
from pipeline.audit.record import write_run_record
from pipeline.fsutil import atomic_write_text, private_dir
from pipeline.invitations import commit_invitations, select_invitations, write_outputs
from pipeline.paths import DEFAULT_STUDY
from pipeline.run import RunOptions, RunState
from pipeline.study.execute import run_study
from pipeline.study.model import build_study
from pipeline.workspace import now, publish_dir

PRACTICE = "J82001"
INDEX_DATE = dt.date(2019, 6, 1)
VALID_NHS = "9434765919"

PATIENT = {
    "practice_code": PRACTICE,
    "patient_id": None,
    "nhs_number": None,
    "nhs_number_valid": None,
    "title": "Mrs",
    "forename": "Ann",
    "surname": "Example",
    "date_of_birth": dt.date(1974, 3, 2),
    "sex": "F",
    "address_line_1": "1 High Street",
    "address_line_2": None,
    "address_line_3": None,
    "address_line_4": None,
    "postcode": "SO16 6YD",
    "postcode_valid": True,
    "registration_date": dt.date(2001, 4, 1),
    "deregistration_date": None,
    "date_of_death": None,
}

# codelist, coding_system, code, term, category (already expanded; each at the version
# the shipped study pins, PINNED below)
CODES = [
    ("chronic_pain_conditions", "snomedct", "279039007", "Low back pain", None),
    ("chronic_pain_conditions", "snomedct", "203082005", "Fibromyalgia", None),
    ("chronic_pain_diagnosis", "snomedct", "82423001", "Chronic pain", None),
    ("pain_medications", "dmd", "42017811000001106", "Tramadol 50mg capsules", None),
    ("employment_status", "snomedct", "224363007", "Employed", "employed"),
    ("employment_status", "snomedct", "160903007", "Full-time employment", "employed"),
    ("employment_status", "snomedct", "73438004", "Unemployed", "unemployed"),
    ("employment_status", "snomedct", "105493001", "Retired", "retired"),
    ("dementia", "snomedct", "52448006", "Dementia", None),
    ("palliative_care", "snomedct", "103735009", "Palliative care", None),
    (
        "research_opt_out",
        "snomedct",
        "827241000000103",
        "Dissent from secondary use of GP data",
        None,
    ),
    ("research_opt_out_withdrawn", "snomedct", "827261000000102", "Dissent withdrawn", None),
    (
        "fit_notes_not_fit",
        "snomedct",
        "751481000000104",
        "eMED3 (2010) new statement issued, not fit for work",
        None,
    ),
    (
        "out_of_work_benefits",
        "snomedct",
        "160978002",
        "(Sickness &/ or invalidity benefit) or invalidity pension",
        None,
    ),
]


def study(name: str = "instep"):
    data = yaml.safe_load(DEFAULT_STUDY.read_text()) | {"name": name}
    return build_study(data, source=str(DEFAULT_STUDY), sha256="f" * 64)


def patient(patient_id: str, **overrides) -> dict:
    return {**PATIENT, "patient_id": patient_id, **overrides}


def event(patient_id: str, day: str, code: str, system: str = "snomedct") -> tuple:
    return (PRACTICE, patient_id, dt.date.fromisoformat(day), system, code, None)


def _insert(con, table: str, rows: list) -> None:
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", [list(r) for r in rows])


def _load(
    con, patients: list[dict], events: list[tuple], medications: list[tuple], extract_date: dt.date
) -> None:
    db.script(con, "load/tables")
    con.execute(
        "INSERT INTO practices VALUES (?, 'High Street Surgery', 'EMIS Web', ?, ['1 High St'], '/x')",
        [PRACTICE, extract_date],
    )
    _insert(con, "patients", [tuple(p[k] for k in PATIENT) for p in patients])
    _insert(con, "events", events)
    _insert(con, "medications", [(*m, "repeat", None) for m in medications])
    con.execute(
        "CREATE TABLE codelist_codes (codelist VARCHAR, version VARCHAR, coding_system VARCHAR,"
        " code VARCHAR, term VARCHAR, category VARCHAR)"
    )
    pinned = {alias: version for alias, _, version in study().codelist_refs()}
    _insert(con, "codelist_codes", [(c[0], pinned[c[0]], *c[1:]) for c in CODES])


def make_run(
    ws,
    run_id: str,
    *,
    patients: list[dict],
    events: list[tuple] = (),
    medications: list[tuple] = (),
    index_date: dt.date = INDEX_DATE,
    extract_date: dt.date | None = None,
    study_name: str = "instep",
    capacity: int | None = None,
) -> RunState:
    """A published run of the InStep study over PATIENTS, logged like `cohort run` logs it."""
    the_study = study(study_name)
    out_dir = ws.runs_dir / run_id
    options = RunOptions(
        extracts=(Path("/x"),), study_path=DEFAULT_STUDY, workspace=ws.root, index_date=index_date
    )
    state = RunState(
        options=options,
        run_id=run_id,
        workspace=ws,
        out_dir=out_dir,
        stage_dir=ws.stage_dir_for(out_dir, run_id),
        started_at=now(),
        study=the_study,
    )
    private_dir(state.stage_dir)
    state.con = db.connect(state.stage_dir / "run.duckdb")
    _load(state.con, patients, list(events), list(medications), extract_date or index_date)
    _study_steps(state, index_date, capacity=capacity)
    state.files += write_outputs(
        state.con,
        state.stage_dir,
        study=the_study,
        letter_date=index_date,
        reply_by=index_date + dt.timedelta(days=21),
    )
    write_run_record(state)
    atomic_write_text(
        state.stage_dir / "report.html", "<p>The run report (written after the record).</p>"
    )
    _commit(state)
    log_run(state)
    return state


def _study_steps(state: RunState, index_date: dt.date, *, capacity: int | None = None) -> None:
    con = state.con
    db.run(con, "run/run_practices", index_date=index_date)
    db.script(con, "run/study_parameters")
    con.executemany(
        "INSERT INTO study_parameters VALUES (?, ?)",
        [(k, str(v)) for k, v in sorted(state.study.parameters().items())],
    )
    state.workspace.copy_into_run(con, study=state.study.name)
    run_study(con, state.study)
    with state.workspace.state(read_only=True) as ws_con:
        refs = {r[0] for r in ws_con.execute("SELECT invite_ref FROM ledger").fetchall()}
    state.invited = select_invitations(
        con,
        run_id=state.run_id,
        study_name=state.study.name,
        existing_refs=refs,
        max_per_practice=capacity,
    )


def _commit(state: RunState) -> None:
    assert state.con is None, "write_run_record closes the run database"
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


def invite_ref(ws, patient_id: str) -> str:
    with ws.state(read_only=True) as con:
        rows = con.execute(
            "SELECT invite_ref FROM ledger WHERE patient_id = ? AND status = 'active'", [patient_id]
        ).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]
