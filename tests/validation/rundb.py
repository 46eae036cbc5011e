"""A real run database for the cohort and invitations suites: a small extract
loaded by the loader, the tables the orchestrator adds (run_practices,
study_parameters, codelist_codes, prior_invitations, do_not_contact), then the
real InStep study and invitation selection. Tests then break it on purpose."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline import db
from pipeline.extract import load_extracts
from pipeline.paths import DEFAULT_STUDY

from .extracts import event, medication, patient, write_extract

# codelist, coding_system, code, category: enough codes for the patients below.
CODES = [
    ("chronic_pain_diagnosis", "snomedct", "82423001", None),
    ("chronic_pain_conditions", "snomedct", "279039007", None),
    ("pain_medications", "dmd", "42017811000001106", None),
    ("employment_status", "snomedct", "224363007", "employed"),
    ("employment_status", "snomedct", "73438004", "unemployed"),
    ("dementia", "snomedct", "52448006", None),
    ("palliative_care", "snomedct", "103735009", None),
    ("research_opt_out", "snomedct", "827241000000103", None),
    ("research_opt_out_withdrawn", "snomedct", "827261000000102", None),
    ("fit_notes_not_fit", "snomedct", "751481000000104", None),
    ("out_of_work_benefits", "snomedct", "160978002", None),
]
PAIN = {"code": "82423001", "event_date": "2023-06-01"}
# Who is in the extract (index date 2024-05-01), by patient number.
INVITED = (0, 1, 2, 3)
AGED_70, DEAD, DEMENTIA, PALLIATIVE, OPTED_OUT, DEREGISTERED, BAD_NHS = 10, 11, 12, 13, 14, 15, 16
NOT_IN_PAIN = (4, 5, 6, 7, 8, 9)
BAD_NHS_NUMBER = "9430000017"  # fails Modulus 11: the study holds this patient back


def extract_patients() -> list[dict]:
    rows = [patient(i) for i in range(17)]
    rows[AGED_70] = patient(AGED_70, date_of_birth="1954-01-01")
    rows[DEAD] = patient(DEAD, date_of_death="2024-01-01")
    rows[DEREGISTERED] = patient(DEREGISTERED, deregistration_date="2020-01-01")
    rows[BAD_NHS] = patient(BAD_NHS, nhs_number=BAD_NHS_NUMBER)
    return rows


def extract_events() -> list[dict]:
    rows = [event(i, **PAIN) for i in range(17) if i not in NOT_IN_PAIN]
    rows += [
        event(DEMENTIA, code="52448006", event_date="2021-03-01"),
        event(PALLIATIVE, code="103735009", event_date="2024-02-01"),
        event(OPTED_OUT, code="827241000000103", event_date="2022-01-01"),
        event(3, code="827241000000103", event_date="2022-01-01"),
        event(3, code="827261000000102", event_date="2023-01-01"),  # opt-out withdrawn
    ]
    return rows


def build_run(tmp: Path):
    """The run database after study and invitations, on a fresh in-memory connection."""
    folder = write_extract(
        tmp / "extract" / "A81001",
        patients=extract_patients(),
        events=extract_events(),
        medications=[medication(0)],
    )
    con = db.connect()
    load_extracts(con, [folder])
    study = _study()
    _run_tables(con, study)
    from pipeline.study.execute import run_study

    run_study(con, study)
    from pipeline.invitations import select_invitations

    select_invitations(con, run_id="r1", study_name=study.name, existing_refs=set())
    return con


def _study():
    """The shipped InStep study, without checking its pins against codelists/."""
    from pipeline.study.model import build_study

    return build_study(yaml.safe_load(DEFAULT_STUDY.read_text(encoding="utf-8")))


def _run_tables(con, study) -> None:
    db.run(con, "run/run_practices", index_date=None)
    db.script(con, "run/study_parameters")
    params = [(k, str(v)) for k, v in study.parameters().items()]
    con.executemany("INSERT INTO study_parameters VALUES (?, ?)", params)
    con.execute(
        "CREATE TABLE codelist_codes (codelist VARCHAR, version VARCHAR, coding_system VARCHAR,"
        " code VARCHAR, term VARCHAR, category VARCHAR)"
    )
    pinned = {alias: version for alias, _, version in study.codelist_refs()}
    con.executemany(
        "INSERT INTO codelist_codes VALUES (?, ?, ?, ?, 'term', ?)",
        [[c[0], pinned[c[0]], *c[1:]] for c in CODES],
    )
    con.execute(
        "CREATE TABLE prior_invitations (practice_code VARCHAR, patient_id VARCHAR,"
        " nhs_number VARCHAR, run_id VARCHAR, invite_ref VARCHAR)"
    )
    con.execute(
        "CREATE TABLE do_not_contact (practice_code VARCHAR, patient_id VARCHAR,"
        " nhs_number VARCHAR, reason VARCHAR)"
    )
    con.execute(
        "CREATE TABLE screened_out (practice_code VARCHAR, patient_id VARCHAR,"
        " nhs_number VARCHAR, study VARCHAR, run_id VARCHAR, reason VARCHAR)"
    )
