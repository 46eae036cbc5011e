"""Screened out: a GP excluded the person at screening for this study before, by
practice and patient id, or by NHS number at any practice. The rule comes after
do-not-contact and before data quality."""

import datetime as dt

from .world import build, invited, stopped

D = dt.date(2024, 6, 30)


def test_matched_by_practice_and_id_or_by_nhs_number():
    con = build(
        patients="""
        practice_code | patient_id        | nhs_number | nhs_number_valid
        A00001        | by_id             |            |
        A00001        | by_nhs            | 9434765919 | true
        A00001        | same_id_elsewhere |            |
        A00001        | fresh             | 4010232137 | true
        """,
        index_dates={"A00001": D, "B00002": D},
        screened="""
        practice_code | patient_id        | nhs_number   | reason
        A00001        | by_id             |              | in_work
                      |                   | 943 476 5919 | bereavement
        B00002        | same_id_elsewhere |              | other
        """,
    )
    assert invited(con) == {"same_id_elsewhere", "fresh"}
    assert stopped(con)["by_id"] == "screened_out"
    assert stopped(con)["by_nhs"] == "screened_out"


def test_do_not_contact_comes_before_screened_out():
    con = build(
        patients="""
        patient_id
        both
        """,
        dnc="""
        practice_code | patient_id
        A00001        | both
        """,
        screened="""
        practice_code | patient_id
        A00001        | both
        """,
    )
    assert stopped(con) == {"both": "do_not_contact"}


def test_screened_out_comes_before_data_quality():
    con = build(
        patients="""
        patient_id | postcode
        both       |
        """,
        screened="""
        practice_code | patient_id
        A00001        | both
        """,
    )
    assert stopped(con) == {"both": "screened_out"}


def test_screened_out_is_not_do_not_contact():
    con = build(
        patients="""
        patient_id
        gp_said_no
        """,
        screened="""
        practice_code | patient_id
        A00001        | gp_said_no
        """,
    )
    run = stopped(con)
    flags = con.execute("SELECT do_not_contact, screened_out FROM population").fetchone()
    assert run == {"gp_said_no": "screened_out"} and flags == (False, True)
