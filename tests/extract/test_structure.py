"""Structural problems stop the run: duplicate or unknown patient ids, unknown coding
systems or sex, blank ids or codes, missing or doubled files. Every problem in every
file is collected; the message names the file, the count and the first rows, and
never a patient's details. Contact-detail problems do not stop the run."""

from __future__ import annotations

import pytest

from .builders import event, issue, load, load_error, patient, rows, write_practice, write_table
from .checks import assert_message


def test_a_duplicate_patient_id_names_every_row_it_is_on(root):
    write_practice(root, patients=[patient("1"), patient("2"), patient("1"), patient(" 2 ")])
    exc = load_error(root)
    assert_message(
        exc,
        "patients.csv",
        "4 rows share a patient_id with another row (rows 2, 3, 4, 5)",
        "unique within the practice",
    )


def test_the_same_patient_id_in_two_practices_is_fine(root):
    write_practice(root, code="A81001")
    write_practice(root, code="A81002")
    con, _ = load(root)
    assert rows(con, "SELECT practice_code, patient_id FROM patients ORDER BY 1") == [
        ("A81001", "1"),
        ("A81002", "1"),
    ]


def test_events_and_issues_of_a_patient_not_in_patients_are_errors(root):
    write_practice(
        root,
        events=[event("1"), event("9"), event("1"), event("8")],
        medications=[issue("1"), issue("7")],
    )
    exc = load_error(root)
    assert_message(
        exc,
        "events.csv",
        "2 rows whose patient_id is not in patients (rows 3, 5)",
        "(and 1 more problem;",
    )
    assert_message(
        exc.problems[1], "medications.csv", "1 row whose patient_id is not in patients (row 3)"
    )


def test_records_are_checked_against_the_patients_of_their_own_practice(root):
    write_practice(root, code="A81001", patients=[patient("1")])
    write_practice(root, code="A81002", patients=[patient("2")], events=[event("1")])
    assert_message(
        load_error(root), "A81002/events.csv", "1 row whose patient_id is not in patients (row 2)"
    )


def test_records_of_a_patient_whose_own_row_has_a_problem_are_not_reported_as_orphans(root):
    write_practice(
        root, patients=[patient("1", sex="X")], events=[event("1")], medications=[issue("1")]
    )
    exc = load_error(root)
    assert exc.problems == [exc.message]
    assert_message(
        exc,
        "patients.csv",
        "1 row with a sex that is not M, F, I or U (row 2)",
        "recode those rows",
    )


def test_unknown_and_blank_sex_are_errors_but_any_case_of_a_known_one_is_not(root):
    write_practice(
        root,
        patients=[
            patient("1", sex="m"),
            patient("2", sex="X"),
            patient("3", sex=""),
            patient("4", sex="U"),
        ],
    )
    assert_message(
        load_error(root), "patients.csv", "2 rows with a sex that is not M, F, I or U (rows 3, 4)"
    )


@pytest.mark.parametrize(
    ("table", "row", "message"),
    [
        (
            "events",
            event(coding_system="icd10"),
            "1 row with a coding_system that is not readv2, ctv3 or snomedct (row 2)",
        ),
        (
            "events",
            event(coding_system=""),
            "1 row with a coding_system that is not readv2, ctv3 or snomedct (row 2)",
        ),
        (
            "medications",
            issue(coding_system="snomedct"),
            "1 row with a coding_system that is not dmd or bnf (row 2)",
        ),
        ("events", event(code="  "), "1 row with a blank code (row 2)"),
        ("events", event(patient_id=""), "1 row with a blank patient_id (row 2)"),
    ],
    ids=["event-system", "blank-system", "medication-system", "blank-code", "blank-id"],
)
def test_unknown_coding_systems_and_blank_ids_or_codes_are_errors(root, table, row, message):
    write_practice(root, **{table: [row]})
    assert_message(load_error(root), f"{table}.csv", message)


def test_every_problem_in_every_practice_is_collected(root):
    write_practice(root, code="A81001", patients=[patient("1"), patient("1")])
    write_practice(root, code="A81002", events=[event(coding_system="icd10"), event("5")])
    exc = load_error(root)
    assert_message(exc, "A81001/patients.csv", "2 rows share a patient_id", "(and 2 more problems;")
    assert len(exc.problems) == 3
    assert "A81002/events.csv" in exc.problems[1] and "A81002/events.csv" in exc.problems[2]


def test_a_missing_table_is_an_error(root):
    folder = write_practice(root)
    (folder / "events.csv").unlink()
    assert_message(
        load_error(root), "A81001: events.csv is missing", "needs patients, events and medications"
    )


def test_a_table_given_as_both_csv_and_parquet_is_an_error(root):
    folder = write_practice(root)
    write_table(folder, "medications", [issue()], fmt="parquet")
    assert_message(
        load_error(root),
        "A81001: both medications.csv and medications.parquet are present; keep only one",
    )


def test_contact_detail_problems_do_not_stop_the_run(root):
    patients = [
        patient("1"),
        patient("2", nhs_number="943 476 5918"),
        patient("3", address_line_1=""),
        patient("4", postcode=""),
        patient("5", postcode="SO16"),
        patient("6", forename="", surname="", title=""),
    ]
    write_practice(root, patients=patients)
    con, _ = load(root)
    got = rows(
        con,
        "SELECT patient_id, nhs_number_valid, address_line_1 IS NOT NULL, postcode_valid FROM patients ORDER BY 1",
    )
    assert got == [
        ("1", True, True, True),
        ("2", False, True, True),
        ("3", True, False, True),
        ("4", True, True, False),
        ("5", True, True, False),
        ("6", True, True, True),
    ]
