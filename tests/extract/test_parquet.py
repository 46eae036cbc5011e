"""Parquet tables: the same columns and rules as CSV, typed or text cells; row numbers
count from the first record."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

from .builders import event, issue, load, load_error, patient, rows, write_practice
from .checks import assert_message


def test_a_parquet_practice_with_typed_cells_loads_beside_a_csv_one(root):
    write_practice(root, code="A81001", events=[event(code="N245.00", coding_system="readv2")])
    write_practice(
        root,
        code="A81002",
        fmt="parquet",
        patients=[
            patient(
                date_of_birth=dt.date(1980, 5, 1), registration_date=dt.datetime(2010, 1, 1, 0, 0)
            )
        ],
        events=[
            event(
                event_date=dt.date(2023, 1, 1), code="N245.00", coding_system="readv2", value=132.5
            )
        ],
        medications=[issue(issue_date="01/02/2023", quantity=56)],
    )
    con, _ = load(root)
    assert rows(
        con,
        "SELECT practice_code, date_of_birth::VARCHAR, registration_date::VARCHAR FROM patients ORDER BY 1",
    ) == [
        ("A81001", "1980-05-01", "2010-01-01"),
        ("A81002", "1980-05-01", "2010-01-01"),
    ]
    assert rows(con, "SELECT practice_code, code, value FROM events ORDER BY 1") == [
        ("A81001", "N245.", None),
        ("A81002", "N245.", 132.5),
    ]
    assert rows(con, "SELECT issue_date::VARCHAR, quantity FROM medications") == [
        ("2023-02-01", 56.0)
    ]


def test_parquet_row_numbers_count_from_the_first_record(root):
    write_practice(root, fmt="parquet", patients=[patient("1"), patient("2"), patient("1")])
    assert_message(
        load_error(root),
        "patients.parquet",
        "2 rows share a patient_id with another row (rows 1, 3)",
    )


def test_parquet_columns_in_any_case_with_an_unknown_one_and_a_missing_one(root):
    folder = write_practice(root, fmt="parquet", events=[event()])
    table = pa.table(
        {
            "PATIENT_ID": ["1"],
            "Issue_Date": ["2023-01-01"],
            "Coding_System": ["dmd"],
            "code": ["1"],
            "pharmacy": ["x"],
        }
    )
    pq.write_table(table, folder / "medications.parquet")
    _, result = load(root)
    assert_message(result.warnings[0], "medications.parquet", "ignored unknown column(s) pharmacy")
    pq.write_table(table.drop(["code"]), folder / "medications.parquet")
    assert_message(load_error(root), "medications.parquet", "missing required column code")


def test_a_file_that_is_not_parquet_is_an_error(root):
    folder = write_practice(root, fmt="parquet", events=[event()])
    (folder / "medications.parquet").write_text("patient_id,issue_date\n")
    assert_message(
        load_error(root), "medications.parquet", "could not be read", "check it is a Parquet file"
    )
