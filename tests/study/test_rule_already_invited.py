"""Already invited to this study from this workspace: the same practice and patient
id, or the same NHS number (at any practice), in a live ledger row."""

import datetime as dt

from .world import build, invited, stopped

D = dt.date(2024, 6, 30)


def test_matched_by_practice_and_id_or_by_nhs_number():
    con = build(
        patients="""
        practice_code | patient_id | nhs_number | nhs_number_valid | # note
        A00001        | same_id    |            |                  | ledger: A00001 same_id
        A00001        | moved      | 9434765919 | true             | ledger: this NHS number at B00002
        A00001        | spaced     | 9434765870 | true             | ledger NHS number typed with spaces
        A00001        | other_id   |            |                  | ledger has other_id at B00002 only
        A00001        | fresh      | 4010232137 | true             |
        B00002        | other_id   |            |                  | ledger: B00002 other_id
        """,
        index_dates={"A00001": D, "B00002": D},
        prior="""
        practice_code | patient_id | nhs_number
        A00001        | same_id    |
        B00002        | someone    | 9434765919
        B00002        | x9         | 943 476 5870
        B00002        | other_id   |
        """,
    )
    got = stopped(con)
    assert invited(con) == {"other_id", "fresh"}
    assert con.execute(
        "SELECT practice_code FROM population WHERE invited AND patient_id = 'other_id'"
    ).fetchall() == [("A00001",)]
    assert got["same_id"] == got["moved"] == got["spaced"] == "already_invited"


def test_blank_nhs_numbers_never_match_each_other():
    con = build(
        patients="""
        patient_id | nhs_number
        p1         |
        """,
        prior="""
        practice_code | patient_id | nhs_number
        A00001        | p2         |
        """,
    )
    assert invited(con) == {"p1"}
