"""Data quality: a patient who passes every rule but cannot be mailed safely (NHS
number present but failing Modulus 11, address line 1 or postcode missing, postcode
not a UK format) is not invited and is held in quarantine with the reason."""

from .world import build, days, invited, stopped


def test_held_back_with_every_reason():
    con = build(
        patients="""
        patient_id | nhs_number | nhs_number_valid | address_line_1 | postcode | postcode_valid | # note
        good       | 9434765919 | true             | 1 High Street  | SO16 6YD | true           |
        no_nhs     |            |                  | 1 High Street  | SO16 6YD | true           | no NHS number is not a problem
        bad_nhs    | 9434765918 | false            | 1 High Street  | SO16 6YD | true           |
        no_address |            |                  |                | SO16 6YD | true           |
        no_postcode|            |                  | 1 High Street  |          | false          |
        bad_postcode|           |                  | 1 High Street  | XX1      | false          |
        everything | 9434765918 | false            |                | XX1      | false          |
        """
    )
    assert invited(con) == {"good", "no_nhs"}
    held = dict(con.execute("SELECT patient_id, reason FROM quarantine").fetchall())
    assert held == {
        "bad_nhs": "NHS number fails the Modulus 11 check",
        "no_address": "address line 1 missing",
        "no_postcode": "postcode missing",
        "bad_postcode": "postcode not a valid UK format",
        "everything": "NHS number fails the Modulus 11 check; address line 1 missing; postcode not a valid UK format",
    }


def test_only_patients_who_pass_every_other_rule_are_quarantined():
    con = build(
        patients="""
        patient_id | nhs_number | nhs_number_valid | date_of_birth
        child      | 9434765918 | false            | 2015-01-01
        demented   | 9434765918 | false            | 1970-01-01
        """,
        events=f"""
        patient_id | event_date | coding_system | code
        demented   | {days(5)}  | snomedct      | 52448006
        """,
    )
    assert stopped(con) == {"child": "age", "demented": "dementia"}
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    reasons = dict(con.execute("SELECT patient_id, dq_reason FROM population").fetchall())
    assert reasons["demented"] == "NHS number fails the Modulus 11 check"


def test_an_nhs_number_on_two_live_registrations_holds_both_back():
    con = build(
        patients="""
        patient_id | nhs_number | nhs_number_valid | deregistration_date | # note
        twin_a     | 9434765919 | true             |                     | same number, both registered
        twin_b     | 9434765919 | true             |                     |
        moved_on   | 4010232137 | true             | 2010-01-01          | the old record of someone who moved
        moved_to   | 4010232137 | true             |                     | their current record: invited
        """
    )
    assert invited(con) == {"moved_to"}
    held = dict(con.execute("SELECT patient_id, reason FROM quarantine").fetchall())
    assert held == {
        "twin_a": "NHS number shared with another registered patient",
        "twin_b": "NHS number shared with another registered patient",
    }
