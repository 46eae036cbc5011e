"""Small run databases for the study's spec tests, drawn as ASCII tables.

    con = build(patients='''
        patient_id | date_of_birth
        p1         | 1980-06-15
    ''', events='''
        patient_id | event_date | coding_system | code
        p1         | 2024-01-02 | snomedct      | 82423001
    ''')
    assert invited(con) == {"p1"}

Cells are trimmed; an empty cell is NULL; ISO dates become dates and
true/false booleans; a column whose name starts with # is a comment. Columns left out take the defaults below (an eligible,
mailable patient). The database has the loader's schema (sql/load/tables.sql)
and the tables the orchestrator adds before the study (run_practices,
codelist_codes, prior_invitations, do_not_contact, screened_out), filled directly.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pyarrow as pa
import yaml

from pipeline import db
from pipeline.study import execute
from pipeline.study.build import node_key
from pipeline.study.checks import check_study
from pipeline.study.execute import INPUT_TABLES
from pipeline.study.model import build_study

ROOT = Path(__file__).resolve().parents[2]
INDEX_DATE = dt.date(2024, 6, 30)
PRACTICE = "A00001"
# An event that puts a patient on route C2 (chronic pain recorded).
PAIN_CODE = ("snomedct", "82423001")

PATIENT_DEFAULTS = {
    "practice_code": PRACTICE,
    "patient_id": None,
    "nhs_number": None,
    "nhs_number_valid": None,
    "title": "Ms",
    "forename": "Test",
    "surname": "Patient",
    "date_of_birth": dt.date(1980, 6, 15),
    "sex": "F",
    "address_line_1": "1 High Street",
    "address_line_2": None,
    "address_line_3": None,
    "address_line_4": None,
    "postcode": "SO16 6YD",
    "postcode_valid": True,
    "registration_date": dt.date(2000, 1, 1),
    "deregistration_date": None,
    "date_of_death": None,
}
EVENT_DEFAULTS = {"practice_code": PRACTICE, "value": None}
MEDICATION_DEFAULTS = {"practice_code": PRACTICE, "issue_type": "repeat", "quantity": None}
LIST_DEFAULTS = {"practice_code": None, "patient_id": None, "nhs_number": None}

# codelist | version | coding_system | code | term | category  (already expanded)
CODES = """
codelist                   | version | coding_system | code              | term                                    | category
chronic_pain_conditions    | 1       | snomedct      | 279039007         | Low back pain                           |
chronic_pain_conditions    | 1       | snomedct      | 203082005         | Fibromyalgia                            |
chronic_pain_conditions    | 1       | readv2        | 16C..             | Backache symptom                        |
chronic_pain_conditions    | 1       | readv2        | 16C2.             | Backache with radiation                 |
chronic_pain_conditions    | 1       | readv2        | 16C9.             | Chronic low back pain                   |
chronic_pain_conditions    | 1       | readv2        | N2423             | Neuropathic pain                        |
chronic_pain_diagnosis     | 1       | snomedct      | 82423001          | Chronic pain                            |
chronic_pain_diagnosis     | 1       | readv2        | 1M52.             | Chronic pain                            |
chronic_pain_diagnosis     | 1       | readv2        | 16C9.             | Chronic low back pain                   |
pain_medications           | 1       | dmd           | 42017811000001106 | Tramadol 50mg capsules                  |
pain_medications           | 1       | bnf           | 0408010G0AAABAB   | Gabapentin 300mg capsules               |
employment_status          | 1       | snomedct      | 224363007         | Employed                                | employed
employment_status          | 1       | snomedct      | 160903007         | Full-time employment                    | employed
employment_status          | 1       | snomedct      | 73438004          | Unemployed                              | unemployed
employment_status          | 1       | snomedct      | 105493001         | Retired                                 | retired
employment_status          | 1       | snomedct      | 65853000          | Student                                 | student
employment_status          | 2       | snomedct      | 224363007         | Employed                                | employed
employment_status          | 2       | snomedct      | 160903007         | Full-time employment                    | employed
employment_status          | 2       | snomedct      | 73438004          | Unemployed                              | unemployed
employment_status          | 2       | snomedct      | 105493001         | Retired                                 | retired
employment_status          | 2       | snomedct      | 65853000          | Student                                 | student
employment_status          | 2       | snomedct      | 751601000000107   | eMED3 (2010) new statement issued, may be fit for work | employed
employment_status          | 2       | snomedct      | 775281000000100   | MED3 (2010) certificate issued - recommend phased return to work | employed
employment_status          | 2       | ctv3          | XaX1K             | eMED3 (2010) new statement issued, may be fit for work | employed
employment_status          | 2       | ctv3          | Y2854             | Employment status - Long term sickness  | long_term_sick
fit_notes_not_fit          | 1       | snomedct      | 751481000000104   | eMED3 (2010) new statement issued, not fit for work |
fit_notes_not_fit          | 1       | ctv3          | XaX1E             | eMED3 (2010) new statement issued, not fit for work |
out_of_work_benefits       | 1       | snomedct      | 160978002         | (Sickness &/ or invalidity benefit) or invalidity pension |
out_of_work_benefits       | 1       | readv2        | 13R..             | Unemployment benefits                   |
dementia                   | 1       | snomedct      | 52448006          | Dementia                                |
dementia                   | 1       | readv2        | Eu00.             | [X]Dementia in Alzheimer's disease      |
dementia                   | 1       | readv2        | Eu001             | [X]Dementia in Alzheimer's dis, late on |
palliative_care            | 1       | snomedct      | 103735009         | Palliative care                         |
research_opt_out           | 1       | readv2        | 9Nu0.             | Dissent from secondary use of GP data   |
research_opt_out           | 1       | snomedct      | 827241000000103   | Dissent from secondary use of GP data   |
research_opt_out_withdrawn | 1       | snomedct      | 827261000000102   | Dissent withdrawn                       |
"""

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# The engine the study runs on: COHORT_TEST_ENGINE, set from pytest's --engine (tests/conftest.py).
# Spark: one local session per test process, two threads and two shuffle partitions (tiny data).
SPARK_MASTER = "local[2]"
SPARK_CONF = {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"}


def engine() -> str:
    return os.environ.get("COHORT_TEST_ENGINE", "duckdb")


def spark():
    """The test process's Spark session (started on first use)."""
    from pipeline.engines.spark.session import spark_session

    return spark_session(SPARK_MASTER, conf=SPARK_CONF)


def run_study(con, the_study):
    """pipeline.study.execute.run_study on the engine under test (every spec test comes here)."""
    if engine() == "spark":
        from pipeline.engines.spark.study import run_study_spark

        return run_study_spark(con, the_study, spark=spark())
    return execute.run_study(con, the_study)


def cell(text: str):
    text = text.strip()
    if text == "":
        return None
    if DATE.fullmatch(text):
        return dt.date.fromisoformat(text)
    return {"true": True, "false": False}.get(text, text)


def parse_table(text: str) -> list[dict]:
    """Rows of a pipe table: column names first, cells split on | (no outer pipes); ---- lines ignored."""
    lines = [
        ln.strip()
        for ln in text.strip().splitlines()
        if ln.strip() and set(ln.strip()) - set("-|+ ")
    ]
    if not lines:
        return []
    header = [h.strip() for h in lines[0].split("|")]
    rows = []
    for ln in lines[1:]:
        cells = ln.split("|")
        assert len(cells) == len(header), f"row has {len(cells)} cells, header {len(header)}: {ln}"
        row = {h: cell(c) for h, c in zip(header, cells, strict=True)}
        rows.append({h: v for h, v in row.items() if not h.startswith("#")})
    return rows


def rows_of(table: str | list[dict], defaults: dict) -> list[dict]:
    rows = parse_table(table) if isinstance(table, str) else table
    return [{**defaults, **row} for row in rows]


def insert(con, table: str, rows: list[dict]) -> None:
    """Insert ROWS (dicts with the same keys) into TABLE by column name."""
    if not rows:
        return
    frame = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB by name below
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")


def create_run_tables(con) -> None:
    """The tables the orchestrator builds before the study, empty."""
    con.execute("CREATE TABLE run_practices (practice_code VARCHAR, index_date DATE)")
    con.execute(
        "CREATE TABLE codelist_codes (codelist VARCHAR, version VARCHAR, coding_system VARCHAR,"
        " code VARCHAR, term VARCHAR, category VARCHAR)"
    )
    con.execute(
        "CREATE TABLE prior_invitations (practice_code VARCHAR, patient_id VARCHAR, nhs_number VARCHAR,"
        " run_id VARCHAR, invite_ref VARCHAR)"
    )
    con.execute(
        "CREATE TABLE do_not_contact (practice_code VARCHAR, patient_id VARCHAR, nhs_number VARCHAR, reason VARCHAR)"
    )
    con.execute(
        "CREATE TABLE screened_out (practice_code VARCHAR, patient_id VARCHAR, nhs_number VARCHAR,"
        " study VARCHAR, run_id VARCHAR, reason VARCHAR)"
    )


def build(
    *,
    patients: str | list[dict],
    events: str | list[dict] = "",
    medications: str | list[dict] = "",
    index_dates: dict[str, dt.date] | dt.date = INDEX_DATE,
    prior: str | list[dict] = "",
    dnc: str | list[dict] = "",
    screened: str | list[dict] = "",
    codes: str = CODES,
    pain: bool = True,
    con=None,
):
    """A fresh in-memory run database (or CON emptied); PAIN gives every patient a C2 event 30 days before D."""
    if con is None:
        con = db.connect()
        db.script(con, "load/tables")
        create_run_tables(con)
    for table in INPUT_TABLES:
        con.execute(f"DELETE FROM {table}")
    if not isinstance(index_dates, dict):
        index_dates = {PRACTICE: index_dates}
    insert(
        con,
        "run_practices",
        [{"practice_code": p, "index_date": d} for p, d in index_dates.items()],
    )
    people = rows_of(patients, PATIENT_DEFAULTS)
    insert(con, "patients", people)
    insert(
        con,
        "events",
        rows_of(events, EVENT_DEFAULTS) + (pain_events(people, index_dates) if pain else []),
    )
    insert(con, "medications", rows_of(medications, MEDICATION_DEFAULTS))
    insert(con, "codelist_codes", parse_table(codes))
    insert(
        con,
        "prior_invitations",
        rows_of(prior, {**LIST_DEFAULTS, "run_id": "r0", "invite_ref": "INV-0"}),
    )
    insert(con, "do_not_contact", rows_of(dnc, {**LIST_DEFAULTS, "reason": "complaint"}))
    screened_defaults = {**LIST_DEFAULTS, "study": "instep", "run_id": "r0", "reason": "in_work"}
    insert(con, "screened_out", rows_of(screened, screened_defaults))
    return con


def pain_events(people: list[dict], index_dates: dict) -> list[dict]:
    system, code = PAIN_CODE
    return [
        {
            **EVENT_DEFAULTS,
            "practice_code": p["practice_code"],
            "patient_id": p["patient_id"],
            "event_date": index_dates[p["practice_code"]] - dt.timedelta(days=30),
            "coding_system": system,
            "code": code,
        }
        for p in people
    ]


def study(**changes):
    """The shipped InStep study (studies/instep.yaml), with optional changes: a
    criterion's name maps to new values of its node (study(c1={"min_count": 3}));
    any other key replaces that top-level section (study(score={"c2": 1}))."""
    data = yaml.safe_load((ROOT / "studies" / "instep.yaml").read_text())
    for key, values in changes.items():
        if key in data["criteria"]:
            spec = data["criteria"][key]
            (kind,) = node_key(spec)
            spec[kind] = {**spec[kind], **values} if isinstance(values, dict) else values
        else:
            data[key] = values
    problems = check_study(data)
    assert not problems, problems
    return build_study(data)


INSTEP = study()


def run(con, the_study=INSTEP):
    return run_study(con, the_study)


def invited(con, the_study=INSTEP) -> set[str]:
    """Run the study and return the invited patient ids."""
    run_study(con, the_study)
    return {r[0] for r in con.execute("SELECT patient_id FROM population WHERE invited").fetchall()}


def stopped(con, the_study=INSTEP) -> dict[str, str | None]:
    """Run the study and return patient_id -> first rule that stopped them (None: invited)."""
    run_study(con, the_study)
    return dict(con.execute("SELECT patient_id, stopped_by FROM population").fetchall())


def stopped_by_key(con, the_study=INSTEP) -> dict[tuple[str, str], str | None]:
    """Run the study; (practice_code, patient_id) -> first rule that stopped them (None: invited)."""
    run_study(con, the_study)
    rows = con.execute("SELECT practice_code, patient_id, stopped_by FROM population").fetchall()
    return {(practice, patient): rule for practice, patient, rule in rows}


def days(n: int, date: dt.date = INDEX_DATE) -> dt.date:
    """The date N days before DATE (negative N: after)."""
    return date - dt.timedelta(days=n)
