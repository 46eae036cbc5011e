"""Files read once for all practices, and files that were not fully read.

Every practice's file of a table is read by one DuckDB reader (in parallel); the
errors must still name the practice's own file and line. A file DuckDB reads only
in part (a crashed export: a partial row then megabytes of NUL bytes, which
DuckDB's CSV reader passes over silently) is refused, naming the file and line."""

from __future__ import annotations

import pytest

from .builders import (
    csv_text,
    event,
    issue,
    load,
    load_error,
    patient,
    rows,
    write_practice,
    write_table,
)
from .checks import assert_message

NULS = 40_000_000  # longer than DuckDB's CSV buffer: the case it used to read as empty


def _events(n: int) -> list[dict]:
    return [event("1", event_date=f"2023-01-{1 + i % 28:02d}") for i in range(n)]


def test_the_crashed_export_of_the_issue_is_refused_naming_file_and_line(root):
    """`head -1 events.csv > e; head -c 40000000 /dev/zero >> e`"""
    folder = write_practice(root, events=_events(3))
    path = folder / "events.csv"
    header = path.read_bytes().split(b"\n")[0] + b"\n"
    path.write_bytes(header + b"\0" * NULS)
    assert_message(
        load_error(root), "A81001/events.csv", "damaged from line 2", "export the file again"
    )


def test_rows_then_a_partial_row_and_nul_bytes_are_refused_after_the_last_good_line(root):
    folder = write_practice(root, events=_events(5))
    path = folder / "events.csv"
    path.write_bytes(path.read_bytes() + b"1,2023-02-0" + b"\0" * NULS)
    assert_message(load_error(root), "A81001/events.csv", "damaged from line 7")


@pytest.mark.parametrize("nuls", [1, 100, 5000])
def test_a_few_nul_bytes_at_the_end_are_refused_too(root, nuls):
    folder = write_practice(root, medications=[issue("1")])
    path = folder / "medications.csv"
    path.write_bytes(path.read_bytes() + b"\0" * nuls)
    exc = load_error(root)
    assert_message(exc, "A81001/medications.csv")
    assert "line 3" in str(exc)


def test_nul_bytes_inside_a_cell_name_the_row(root):
    write_practice(root, events=[event("1"), event("1", code="2790\x0039007"), event("1")])
    assert_message(load_error(root), "events.csv", "1 row holding NUL bytes (row 3)", "damaged")


def test_an_error_in_the_second_practice_of_one_read_names_that_file_and_its_line(root):
    write_practice(root, code="A81001", events=_events(4))
    folder = write_practice(root, code="A81002", events=_events(2))
    write_table(
        folder,
        "events",
        csv_text(_events(2)) + "1,2023-01-01,snomedct,1,2,3\n",
    )
    assert_message(
        load_error(root),
        "A81002/events.csv",
        "line 4 could not be read",
        "Expected Number of Columns",
    )


def test_a_second_practice_file_that_is_not_utf8_is_named_with_its_byte_offset(root):
    write_practice(root, code="A81001", events=_events(3))
    folder = write_practice(root, code="A81002")
    text = "patient_id,event_date,coding_system,code\n1,2023-01-01,readv2,\xa3\n"
    write_table(folder, "events", text, encoding="cp1252")
    assert_message(
        load_error(root),
        "A81002/events.csv",
        f"not UTF-8 at byte offset {text.index(chr(0xA3))}",
    )


def test_row_numbers_count_within_each_practice_file(root):
    write_practice(root, code="A81001", events=_events(6) + [event("9")])
    write_practice(root, code="A81002", events=[event("1"), event("8"), *_events(3), event("7")])
    exc = load_error(root)
    assert_message(exc, "A81001/events.csv", "1 row whose patient_id is not in patients (row 8)")
    assert_message(
        exc.problems[1],
        "A81002/events.csv",
        "2 rows whose patient_id is not in patients (rows 3, 7)",
    )


def test_practices_whose_headers_differ_load_together(root):
    write_practice(root, code="A81001", events=[event("1", code="N245.00", coding_system="readv2")])
    folder = write_practice(root, code="A81002")
    write_table(
        folder,
        "events",
        "CODE,Coding_System,Event_Date,patient_id,value,extra\n279039007,snomedct,01/02/2023,1,5,x\n",
    )
    write_practice(root, code="A81003", fmt="parquet", events=[event("1", value=2.5)])
    con, result = load(root)
    assert rows(
        con, "SELECT practice_code, code, event_date::VARCHAR, value FROM events ORDER BY 1"
    ) == [
        ("A81001", "N245.", "2023-01-01", None),
        ("A81002", "279039007", "2023-02-01", 5.0),
        ("A81003", "279039007", "2023-01-01", 2.5),
    ]
    assert result.row_counts[("A81002", "events")] == 1
    assert rows(
        con, "SELECT count(*) FROM duckdb_columns() WHERE column_name = 'load_problems'"
    ) == [(0,)]


def test_a_patient_with_a_problem_in_a_second_practice_is_reported_there(root):
    write_practice(root, code="A81001", patients=[patient("1"), patient("2")])
    write_practice(
        root, code="A81002", patients=[patient("1"), patient("2", date_of_birth="31/02/1980")]
    )
    assert_message(
        load_error(root),
        "A81002/patients.csv",
        "1 row with a blank or unreadable date_of_birth (row 3)",
    )
