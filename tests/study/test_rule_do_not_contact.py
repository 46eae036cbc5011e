"""Do not contact: on the workspace's list (complaints, refusals) by practice and
patient id, or by NHS number at any practice."""

import datetime as dt

from .world import build, invited, stopped

D = dt.date(2024, 6, 30)


def test_matched_by_practice_and_id_or_by_nhs_number():
    con = build(
        patients="""
        practice_code | patient_id | nhs_number | nhs_number_valid
        A00001        | by_id      |            |
        A00001        | by_nhs     | 9434765919 | true
        A00001        | same_id_elsewhere |     |
        A00001        | fresh      | 4010232137 | true
        """,
        index_dates={"A00001": D, "B00002": D},
        dnc="""
        practice_code | patient_id        | nhs_number   | reason
        A00001        | by_id             |              | complaint
                      |                   | 943 476 5919 | refused
        B00002        | same_id_elsewhere |              | complaint
        """,
    )
    assert invited(con) == {"same_id_elsewhere", "fresh"}
    assert stopped(con)["by_nhs"] == "do_not_contact"


def test_already_invited_comes_before_do_not_contact():
    con = build(
        patients="""
        patient_id
        both
        """,
        prior="""
        practice_code | patient_id
        A00001        | both
        """,
        dnc="""
        practice_code | patient_id
        A00001        | both
        """,
    )
    assert stopped(con) == {"both": "already_invited"}
