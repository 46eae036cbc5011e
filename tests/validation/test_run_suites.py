"""The cohort and invitations suites on a real run database (the real loader,
study and invitation selection: tests/validation/rundb.py), then on copies of
it broken on purpose, as a bug in the study or invitation SQL would break it."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.errors import ValidationFailed
from pipeline.validation import read_suite, run_suites

from . import rundb as R
from .extracts import nhs_number
from .subsets import column_checks_only

SUITES = ("cohort", "invitations")


def failed(summary, severity: str = "blocking") -> set[tuple[str, str]]:
    return {
        (o.table, o.description)
        for o in summary.outcomes
        if not o.success and not o.error and o.severity == severity
    }


@pytest.fixture(scope="module")
def run_db(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = R.build_run(tmp_path_factory.mktemp("run"))
    yield con
    con.close()


def fresh(tmp_path) -> duckdb.DuckDBPyConnection:
    """A run database of its own, for a test to break."""
    return R.build_run(tmp_path)


def invite(con, patient: int, **changes) -> None:
    """Add patient PATIENT to the invitations, as a faulty selection would."""
    con.execute(
        "INSERT INTO invitations BY NAME SELECT 'INV-BAD-' || patient_id AS invite_ref, 'r1' AS run_id,"
        " 'instep' AS study, * EXCLUDE (nhs_number_valid, sex, postcode_valid, registration_date,"
        " deregistration_date, date_of_death) FROM patients WHERE patient_id = $id",
        {"id": f"P{patient:04d}"},
    )
    for column, value in changes.items():
        con.execute(
            f"UPDATE invitations SET {column} = $v WHERE patient_id = $id",
            {"v": value, "id": f"P{patient:04d}"},
        )


def test_the_study_and_invitations_pass_their_suites(run_db):
    summary = run_suites(run_db, SUITES)
    assert [o.description for o in summary.outcomes if not o.success or o.unexpected_count] == []
    assert run_db.execute("SELECT count(*) FROM invitations").fetchone()[0] == len(R.INVITED)


def test_a_wrong_invitation_list_fails_naming_the_right_expectations(tmp_path):
    """A 70-year-old, a dead person, a dementia patient and a duplicate NHS number (the
    run kept no evidence for the three its rules stopped: the raw records catch them)."""
    con = fresh(tmp_path)
    invite(con, R.AGED_70)
    invite(con, R.DEAD)
    invite(con, R.DEMENTIA)
    con.execute(
        "UPDATE invitations SET nhs_number = $n WHERE patient_id = 'P0001'", {"n": nhs_number(0)}
    )
    summary = run_suites(con, ["invitations"])
    found = {o.description: o.unexpected_count for o in summary.outcomes if not o.success}
    assert found == {
        "every invitee aged within the study's band on the index date": 1,
        "every invitee alive on the index date": 1,
        "no invitee with a dementia or palliative-care record": 1,
        "no NHS number invited twice": 2,
        "NHS number valid (Modulus 11) when present": 1,  # P0001's letter carries P0000's number
        "name and address are the patient's own": 1,
        # three invitees the study did not choose also break the counts:
        "every invitee is invited in the population": 3,
        "no practice has more invitees than the study found eligible": 1,
        "invitations plus deferred equal the last attrition count": 2,  # A81001 and ALL
    }
    with pytest.raises(
        ValidationFailed,
        match=r'^validation failed: invitations suite, "no NHS number invited twice"',
    ):
        summary.raise_if_blocking()


def spoil_cohort(con) -> None:
    """One fault per cohort expectation, in one database."""
    con.execute("ALTER TABLE population ALTER score TYPE VARCHAR")
    con.execute("INSERT INTO population SELECT * FROM population WHERE patient_id = 'P0004'")
    con.execute("DELETE FROM population WHERE patient_id = 'P0005'")
    con.execute("UPDATE population SET invited = NULL WHERE patient_id = 'P0006'")
    con.execute("UPDATE population SET stopped_by = 'bogus' WHERE patient_id = 'P0007'")
    con.execute("UPDATE population SET index_date = DATE '2020-01-01' WHERE patient_id = 'P0008'")
    con.execute("UPDATE population SET age = 99 WHERE patient_id = 'P0009'")
    con.execute(
        "UPDATE population SET invited = true, stopped_by = NULL WHERE patient_id = 'P0012'"
    )
    con.execute("ALTER TABLE evidence DROP COLUMN term")
    template = "INSERT INTO evidence BY NAME SELECT * REPLACE ({}) FROM evidence WHERE patient_id = 'P0000' AND rule = 'c2'"
    con.execute(template.format("NULL AS rule"))
    con.execute(template.format("'bogus' AS rule"))
    con.execute(template.format("'NOBODY' AS patient_id"))
    con.execute(template.format("DATE '2025-01-01' AS record_date"))
    con.execute(template.format("'99999999' AS code"))
    con.execute("DELETE FROM evidence WHERE patient_id = 'P0001' AND rule = 'c2'")
    con.execute("DELETE FROM evidence WHERE patient_id = 'P0016' AND rule = 'decision'")
    con.execute(
        "UPDATE attrition SET remaining = 999 WHERE practice_code = 'ALL' AND step = 'extract'"
    )
    con.execute("UPDATE attrition SET removed = -1 WHERE practice_code = 'ALL' AND step = 'age'")
    con.execute("UPDATE attrition SET remaining = -1 WHERE practice_code = 'ALL' AND step = 'c1'")
    con.execute("DELETE FROM attrition WHERE practice_code = 'A81001'")


def spoil_invitations(con) -> None:
    """One fault per invitations expectation not covered above, in one database."""
    con.execute("ALTER TABLE invitations ALTER address_line_4 TYPE INTEGER")
    con.execute("UPDATE invitations SET invite_ref = NULL WHERE patient_id = 'P0000'")
    con.execute("UPDATE invitations SET invite_ref = (SELECT invite_ref FROM invitations WHERE patient_id = 'P0002')"
                " WHERE patient_id = 'P0001'")  # fmt: skip
    con.execute(
        "INSERT INTO invitations SELECT * REPLACE ('INV-TWICE' AS invite_ref) FROM invitations WHERE patient_id = 'P0003'"
    )
    con.execute("INSERT INTO invitations SELECT * REPLACE ('INV-NOBODY' AS invite_ref, 'NOBODY' AS patient_id,"
                " NULL AS nhs_number) FROM invitations WHERE patient_id = 'P0002'")  # fmt: skip
    # the run keeps evidence for those its rules invited: one of them with a dementia record
    con.execute(
        "INSERT INTO evidence BY NAME SELECT * REPLACE ('dementia' AS rule, 'dementia' AS codelist)"
        " FROM evidence WHERE patient_id = 'P0002' AND rule = 'c2'"
    )
    invite(con, R.DEREGISTERED)
    invite(con, R.OPTED_OUT)
    invite(con, R.PALLIATIVE)
    invite(con, R.BAD_NHS)
    con.execute("INSERT INTO prior_invitations VALUES ('A81001', 'P0002', NULL, 'r0', 'INV-OLD')")
    con.execute("UPDATE invitations SET address_line_1 = NULL WHERE patient_id = 'P0002'")
    con.execute("UPDATE invitations SET postcode = NULL WHERE patient_id = 'P0003'")
    con.execute(
        "UPDATE invitations SET address_line_1 = '  ', postcode = 'LE65' WHERE patient_id = 'P0001'"
    )


@pytest.fixture(scope="module")
def spoilt(tmp_path_factory):
    con = fresh(tmp_path_factory.mktemp("spoilt"))
    spoil_cohort(con)
    spoil_invitations(con)
    return run_suites(con, SUITES)


@pytest.fixture(scope="module")
def no_columns(tmp_path_factory):
    con = duckdb.connect()
    for table in ("population", "evidence", "attrition", "invitations"):
        con.execute(f"CREATE TABLE {table} (x INTEGER)")
    return run_suites(
        con, SUITES, suites_dir=column_checks_only(tmp_path_factory.mktemp("suites"), SUITES)
    )


def test_every_blocking_expectation_is_seen_stopping_validation(spoilt, no_columns):
    seen = failed(spoilt) | failed(no_columns)
    blocking = {
        (e.table, e.description)
        for n in SUITES
        for e in read_suite(n).expectations
        if e.severity == "blocking"
    }
    assert blocking - seen == set()
    assert failed(spoilt, "warning") == {
        ("evidence", "every quarantined patient has its decision in evidence")
    }
    with pytest.raises(
        ValidationFailed, match=r"; and \d+ more blocking failures \(see validation/results.html\)$"
    ):
        spoilt.raise_if_blocking()


def test_a_missing_table_is_a_blocking_failure():
    con = duckdb.connect()
    summary = run_suites(con, ["invitations"])
    assert [(o.description, o.severity, o.success) for o in summary.outcomes] == [
        ("table invitations exists", "blocking", False)
    ]
    with pytest.raises(
        ValidationFailed,
        match=r'^validation failed: invitations suite, "table invitations exists" \(blocking\): failed$',
    ):
        summary.raise_if_blocking()
