"""A CSV cut short inside its last field (a crashed export or a copy stopped part-way):
the right number of fields and no NUL bytes, so DuckDB would load the partial value.
The last record has no line break after it: the file is refused, naming the file and
the line an editor shows, never the value."""

from __future__ import annotations

import pytest

from pipeline.extract.damage import tail_problem

from .builders import DOB, csv_text, event, load, load_error, patient, rows, write_practice
from .checks import assert_message

CUT = "does not end with a line break: the file was cut short"


def _cut(path, keep: int) -> None:
    """Cut PATH's last line after KEEP characters of its last field, as a crash would."""
    data = path.read_bytes().rstrip(b"\n")
    start = data.rindex(b",") + 1
    path.write_bytes(data[: start + keep])


def test_a_value_cut_inside_the_last_field_is_refused_naming_file_and_line(root):
    folder = write_practice(root, events=[event("1"), event("1", value="12.5")])
    _cut(folder / "events.csv", 2)  # value "12" where the export said 12.5
    assert_message(load_error(root), "A81001/events.csv: line 3, the last, " + CUT,
                   "export the file again")  # fmt: skip


def test_a_date_cut_inside_the_last_field_is_refused(root):
    folder = write_practice(root, patients=[patient("1"), patient("2", date_of_death="2020-03-15")])
    _cut(folder / "patients.csv", 9)  # 2020-03-1
    assert_message(load_error(root), "A81001/patients.csv: line 3, the last, " + CUT)


def test_a_quoted_last_field_cut_open_is_refused_by_its_quote(root):
    folder = write_practice(root, patients=[patient("1", address_line_1="7 Juniper Row, Ashby")])
    path = folder / "patients.csv"
    header, row = path.read_text().rstrip("\n").split("\n")
    columns = header.split(",")  # move the quoted address to the end, then cut inside it
    at = columns.index("address_line_1")
    cells = row.replace('"7 Juniper Row, Ashby"', "ADDRESS").split(",")
    header = ",".join(columns[:at] + columns[at + 1 :] + ["address_line_1"])
    row = ",".join(cells[:at] + cells[at + 1 :]) + ',"7 Juniper Row, Ash'
    path.write_text(header + "\n" + row)
    assert_message(load_error(root), "A81001/patients.csv", "line 2 could not be read",
                   "unterminated quote")  # fmt: skip


def test_the_line_named_is_the_editors_when_a_field_holds_line_breaks(root):
    folder = write_practice(root, patients=[patient("1", address_line_1="Flat 2\nMill House"),
                                            patient("2", date_of_death=DOB)])  # fmt: skip
    _cut(folder / "patients.csv", 4)
    assert_message(load_error(root), "A81001/patients.csv: line 4, the last, " + CUT)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_whole_files_load_whatever_their_line_breaks(root, newline):
    folder = write_practice(root, events=[event("1", value="12.5")])
    (folder / "events.csv").write_text(csv_text([event("1", value="12.5")], newline=newline))
    con, _result = load(root)
    assert rows(con, "SELECT value FROM events") == [(12.5,)]


def test_a_header_with_no_records_needs_no_line_break(root):
    folder = write_practice(root)
    (folder / "medications.csv").write_text("patient_id,issue_date,coding_system,code")
    con, _result = load(root)
    assert rows(con, "SELECT count(*) FROM medications") == [(0,)]


@pytest.mark.parametrize(("tail", "records", "found"), [
    (b"a,b\n1,2\n", 1, None),
    (b"a,b\r\n1,2\r\n", 1, None),
    (b"a,b\n1,2", 1, "cut"),
    (b"a,b\n1,", 1, "cut"),
    (b"a,b", 0, None),
    (b"a,b\n1,2\n\x00\x00", 1, "nul"),
    (b"a,b\n1,2\x00", 1, "nul"),
])  # fmt: skip
def test_what_the_tail_of_a_file_says(tail, records, found):
    assert tail_problem(tail, rows=records) == found
