"""Evidence: for each patient past the population steps, the records each record-based
criterion counted (in its window), the latest employment status (in the window, or
else the latest ever, marked outside), exclusion records, ledger and do-not-contact
matches, and the decision. The run stores it for the invited, deferred and
quarantined; anyone else's is worked out on demand by the same compiled SQL
(pipeline/study/ondemand.py), and both give the same rows."""

import datetime as dt
import json

import duckdb

from pipeline import db
from pipeline.study.ondemand import patient_evidence

from .world import build, create_run_tables, days, run, study

EMPLOYED, UNEMPLOYED = "224363007", "73438004"
COLUMNS = (
    "rule, record_date, coding_system, code, term, codelist, version, category, in_window, detail"
)
RUN_DB = {}


def evidence(con, patient: str) -> list[tuple]:
    """The stored rows, or else (none stored) the rows worked out on demand."""
    stored = con.execute(
        f"SELECT {COLUMNS} FROM evidence WHERE patient_id = $p", {"p": patient}
    ).fetchall()
    return stored or asked(patient)


def asked(patient: str) -> list[tuple]:
    path = RUN_DB["path"]
    with duckdb.connect(str(path), read_only=True) as con:
        tree = json.loads(con.execute("SELECT tree FROM study_definition").fetchone()[0])
    rows = patient_evidence(path, tree, practice_code="A00001", patient_id=patient)
    return [tuple(r[c] for c in COLUMNS.split(", ")) for r in rows]


def stored_run(tmp_path):
    """The world's run in a database file (closed and reopened, as explain finds it)."""
    path = tmp_path / "run.duckdb"
    con = db.connect(path)
    db.script(con, "load/tables")
    create_run_tables(con)
    world(con)
    run(con)
    con.close()
    RUN_DB["path"] = path
    return duckdb.connect(str(path), read_only=True)


def world(con=None):
    return build(
        con=con,
        patients="""
        patient_id | nhs_number | nhs_number_valid | date_of_birth
        invitee    |            |                  | 1980-01-01
        old_job    |            |                  | 1980-01-01
        same_day   |            |                  | 1980-01-01
        demented   |            |                  | 1980-01-01
        moved      | 9434765919 | true             | 1980-01-01
        child      |            |                  | 2015-01-01
        """,
        events=f"""
        patient_id | event_date  | coding_system | code         | # note
        invitee    | {days(300)} | readv2        | N2423        | C1 with the next
        invitee    | {days(100)} | readv2        | 16C2.        |
        invitee    | {days(900)} | readv2        | N2423        | outside the window: not evidence
        invitee    | {days(5)}   | snomedct      | {UNEMPLOYED} |
        old_job    | 2015-03-01  | snomedct      | {EMPLOYED}   | the most recent, long ago
        same_day   | {days(10)}  | snomedct      | {UNEMPLOYED} |
        same_day   | {days(10)}  | snomedct      | {EMPLOYED}   |
        same_day   | {days(50)}  | snomedct      | {EMPLOYED}   | not the latest
        demented   | 2019-01-01  | snomedct      | 52448006     |
        child      | {days(5)}   | snomedct      | 52448006     |
        """,
        prior="""
        practice_code | patient_id | nhs_number   | run_id | invite_ref
        B00002        | elsewhere  | 943 476 5919 | r1     | INV-7
        """,
    )


def test_routes_employment_and_decision_of_an_invitee(tmp_path):
    con = stored_run(tmp_path)
    rows = evidence(con, "invitee")
    assert rows[0][:1] + rows[0][7:8] == ("decision", "invited")
    c1 = [(r[1], r[3], r[4], r[5], r[6]) for r in rows if r[0] == "c1"]
    assert c1 == [
        (days(300), "N2423", "Neuropathic pain", "chronic_pain_conditions", "1"),
        (days(100), "16C2.", "Backache with radiation", "chronic_pain_conditions", "1"),
    ]
    assert [r[3] for r in rows if r[0] == "c2"] == ["82423001"]
    employment = [(r[0], r[1], r[4], r[7], r[8]) for r in rows if r[0].startswith("employment")]
    assert employment == [("employment", days(5), "Unemployed", "unemployed", True)]


def test_the_latest_employment_record_ever_is_kept_even_outside_the_window(tmp_path):
    con = stored_run(tmp_path)
    rows = evidence(con, "old_job")
    ever = [(r[1], r[4], r[7], r[8]) for r in rows if r[0] == "employment"]
    assert ever == [(dt.date(2015, 3, 1), "Employed", "employed", False)]
    assert rows[0][7] == "invited"


def test_records_older_than_a_latest_rule_window_still_reach_its_evidence():
    """The run keeps no record older than every rule of the study reads from its
    codelist (study_roles.lookback_days); a latest-record rule reads them all, since its
    evidence falls back to the latest ever. Here employment_status is read by the
    latest-record rules only (w3's unless moved to another codelist)."""
    the_study = study(w3={"unless_later": {"codelist": "fit_notes_not_fit"}})
    con = world()
    run(con, the_study)
    rows = con.execute(
        f"SELECT {COLUMNS} FROM evidence WHERE patient_id = 'old_job' AND rule = 'employment'"
    ).fetchall()
    assert [(r[1], r[7], r[8]) for r in rows] == [(dt.date(2015, 3, 1), "employed", False)]
    roles = dict(con.execute("SELECT role, lookback_days FROM study_roles").fetchall())
    assert roles["employment_status"] is None
    assert (roles["pain_medications"], roles["chronic_pain_conditions"]) == (365, 730)


def test_same_day_employment_records_are_all_shown_with_the_decision(tmp_path):
    con = stored_run(tmp_path)
    rows = evidence(con, "same_day")
    assert sorted(r[7] for r in rows if r[0] == "employment") == ["employed", "unemployed"]
    assert {r[1] for r in rows if r[0] == "employment"} == {days(10)}
    assert rows[0][7] == "in_work"


def test_exclusions_and_ledger_matches(tmp_path):
    con = stored_run(tmp_path)
    demented = evidence(con, "demented")
    assert [(r[0], r[3], r[5]) for r in demented if r[0] == "dementia"] == [
        ("dementia", "52448006", "dementia")
    ]
    moved = evidence(con, "moved")
    ledger = [(r[0], r[3], r[9]) for r in moved if r[0] == "already_invited"]
    assert ledger == [("already_invited", "INV-7", "invited in run r1; matched by NHS number")]
    assert moved[0][7] == "already_invited"


def test_patients_stopped_before_the_chronic_pain_step_have_no_evidence(tmp_path):
    con = stored_run(tmp_path)
    assert evidence(con, "child") == []
    stored = {r[0] for r in con.execute("SELECT DISTINCT patient_id FROM evidence").fetchall()}
    assert stored == {"invitee", "old_job"}  # the invited; the others' on demand


def test_evidence_on_demand_is_the_stored_evidence(tmp_path):
    con = stored_run(tmp_path)
    for patient in ("invitee", "old_job"):
        stored = con.execute(
            f"SELECT {COLUMNS} FROM evidence WHERE patient_id = $p", {"p": patient}
        )
        assert stored.fetchall() == asked(patient)
