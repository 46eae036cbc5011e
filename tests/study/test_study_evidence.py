"""Evidence: for each patient past the population steps, the records each record-based
criterion counted (in its window), the latest employment status (in the window, or
else the latest ever, marked outside), exclusion records, ledger and do-not-contact
matches, and the decision."""

import datetime as dt

from .world import build, days, run

EMPLOYED, UNEMPLOYED = "224363007", "73438004"


def evidence(con, patient: str) -> list[tuple]:
    return con.execute(
        "SELECT rule, record_date, coding_system, code, term, codelist, version, category, in_window, detail"
        " FROM evidence WHERE patient_id = $p",
        {"p": patient},
    ).fetchall()


def world():
    return build(
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


def test_routes_employment_and_decision_of_an_invitee():
    con = world()
    run(con)
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


def test_the_latest_employment_record_ever_is_kept_even_outside_the_window():
    con = world()
    run(con)
    rows = evidence(con, "old_job")
    ever = [(r[1], r[4], r[7], r[8]) for r in rows if r[0] == "employment"]
    assert ever == [(dt.date(2015, 3, 1), "Employed", "employed", False)]
    assert rows[0][7] == "invited"


def test_same_day_employment_records_are_all_shown_with_the_decision():
    con = world()
    run(con)
    rows = evidence(con, "same_day")
    assert sorted(r[7] for r in rows if r[0] == "employment") == ["employed", "unemployed"]
    assert {r[1] for r in rows if r[0] == "employment"} == {days(10)}
    assert rows[0][7] == "in_work"


def test_exclusions_and_ledger_matches():
    con = world()
    run(con)
    demented = evidence(con, "demented")
    assert [(r[0], r[3], r[5]) for r in demented if r[0] == "dementia"] == [
        ("dementia", "52448006", "dementia")
    ]
    moved = evidence(con, "moved")
    ledger = [(r[0], r[3], r[9]) for r in moved if r[0] == "already_invited"]
    assert ledger == [("already_invited", "INV-7", "invited in run r1; matched by NHS number")]
    assert moved[0][7] == "already_invited"


def test_patients_stopped_before_the_chronic_pain_step_have_no_evidence():
    con = world()
    run(con)
    assert evidence(con, "child") == []
    assert con.execute("SELECT count(DISTINCT patient_id) FROM evidence").fetchone()[0] == 5
