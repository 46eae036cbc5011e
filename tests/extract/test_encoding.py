"""Encoding and line endings: UTF-8 with or without a byte-order mark, CRLF or LF;
anything else is an error naming the file and the byte offset."""

from __future__ import annotations

import pytest

from .builders import csv_text, load, load_error, patient, rows, write_practice, write_table
from .checks import assert_message


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_utf8_loads_with_or_without_a_byte_order_mark(root, bom):
    write_practice(root, patients=[patient(forename="Zoë", surname="Ó Súilleabháin")], bom=bom)
    con, _ = load(root)
    assert rows(con, "SELECT patient_id, forename, surname FROM patients") == [
        ("1", "Zoë", "Ó Súilleabháin")
    ]


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_a_file_that_is_not_utf8_names_the_file_and_byte_offset(root, bom):
    folder = write_practice(root)
    text = csv_text([patient(), patient("2", forename="Zoë")])
    write_table(folder, "patients", text, encoding="latin-1", bom=bom)
    offset = text.encode("latin-1").index("ë".encode("latin-1")) + (3 if bom else 0)
    exc = load_error(root)
    assert_message(exc, "patients.csv", f"not UTF-8 at byte offset {offset}", "re-export")


def test_an_events_file_that_is_not_utf8_is_named(root):
    folder = write_practice(root)
    text = "patient_id,event_date,coding_system,code\n1,2023-01-01,readv2,\xa3\n"
    write_table(folder, "events", text, encoding="cp1252")
    assert_message(
        load_error(root), "events.csv", f"not UTF-8 at byte offset {text.index(chr(0xA3))}"
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_crlf_and_lf_line_endings_load_the_same(root, newline):
    write_practice(
        root,
        patients=[patient("1"), patient("2", registration_date="2015-06-30")],
        events=[
            {
                "patient_id": "2",
                "event_date": "2023-01-01",
                "coding_system": "readv2",
                "code": "16C2.",
            }
        ],
        newline=newline,
    )
    con, _ = load(root)
    assert rows(con, "SELECT patient_id, registration_date::VARCHAR FROM patients ORDER BY 1") == [
        ("1", "2010-01-01"),
        ("2", "2015-06-30"),
    ]
    assert rows(con, "SELECT code FROM events") == [("16C2.",)]
