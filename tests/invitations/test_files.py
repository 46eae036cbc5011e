"""The lists a run writes: read back the way Word, Excel, Python and polars read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat

import polars as pl
import pytest

from pipeline.invitations import select_invitations, write_outputs

from .builders import RunDB
from .conftest import LETTER_DATE, REPLY_BY, study

MAILMERGE = [
    "invite_ref", "practice_code", "patient_id", "nhs_number", "title", "forename", "surname",
    "address_line_1", "address_line_2", "address_line_3", "address_line_4", "postcode",
]  # fmt: skip
NURSE = ["invite_ref", "practice_code", "title", "forename", "surname", "date_of_birth", "postcode"]
QUARANTINE = ["practice_code", "patient_id", "reason"]


@pytest.fixture
def written(tmp_path, no_chromium):
    r = RunDB()
    r.add("A81001", "00123", forename="Zoë", surname="Åberg", title="Dr", nhs_number="9434765919")
    r.add(
        "A81001",
        "p2",
        forename="=1+2",
        surname="@SUM(A1)",
        title=None,
        address=("-3 Dash Row", "+44 Plus", None, "\tTabbed"),
    )
    r.add("B82002", "b1", forename="Seán", surname="Ó Briain", date_of_birth=dt.date(1970, 1, 31))
    r.add("B82002", "b2", invited=False, stopped_by="data_quality")
    r.quarantine.append(("B82002", "b2", "postcode_invalid"))
    con = r.build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    stage = tmp_path / "stage"
    files = write_outputs(con, stage, study=study(), letter_date=LETTER_DATE, reply_by=REPLY_BY)
    return stage, files


def read_csv(path):
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    return raw, list(csv.DictReader(io.StringIO(text, newline="")))


def test_mailmerge_has_the_contract_columns_bom_and_crlf(written):
    stage, _ = written
    raw, rows = read_csv(stage / "mailmerge.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    # one CRLF per record; the address block's own line breaks are LF inside a quoted field
    assert raw.count(b"\r\n") == 4
    assert raw.count(b"\n") == 4 + sum(r["address"].count("\n") for r in rows)
    header = list(rows[0])
    assert header[: len(MAILMERGE)] == MAILMERGE
    for extra in (
        "practice_name",
        "practice_address_1",
        "letter_date",
        "reply_by",
        "addressee",
        "salutation",
    ):
        assert extra in header
    assert len(rows) == 3


def test_names_addresses_and_numbers_are_kept_as_text(written):
    stage, _ = written
    _, rows = read_csv(stage / "mailmerge.csv")
    zoe = next(r for r in rows if r["patient_id"] == "00123")
    assert (zoe["title"], zoe["forename"], zoe["surname"]) == ("Dr", "Zoë", "Åberg")
    assert zoe["nhs_number"] == "943 476 5919"
    assert zoe["addressee"] == "Dr Zoë Åberg" and zoe["salutation"] == "Dr Åberg"
    assert zoe["practice_name"] == "Ashby Road Surgery" and zoe["practice_address_4"] == "LE65 1AA"
    assert zoe["letter_date"] == "3 May 2024" and zoe["reply_by"] == "24 May 2024"


def test_polars_reads_identifiers_as_text(written):
    stage, _ = written
    frame = pl.read_csv(stage / "mailmerge.csv")
    assert frame.columns[: len(MAILMERGE)] == MAILMERGE
    assert frame.schema["nhs_number"] == pl.String
    assert frame.schema["patient_id"] == pl.String
    assert set(frame["patient_id"]) == {"00123", "p2", "b1"}
    assert "943 476 5919" in frame["nhs_number"].to_list()


def test_cells_a_spreadsheet_would_run_are_neutralised(written):
    stage, _ = written
    _, rows = read_csv(stage / "mailmerge.csv")
    risky = next(r for r in rows if r["patient_id"] == "p2")
    assert risky["forename"] == "'=1+2"
    assert risky["surname"] == "'@SUM(A1)"
    assert risky["address_line_1"] == "'-3 Dash Row"
    assert risky["address_line_2"] == "'+44 Plus"
    assert risky["address_line_4"] == "'\tTabbed"
    assert risky["salutation"] == "'=1+2 @SUM(A1)"
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())


def test_each_practice_gets_its_own_list_and_letters(written):
    stage, _ = written
    for code, expected in (("A81001", {"00123", "p2"}), ("B82002", {"b1"})):
        _, rows = read_csv(stage / "practices" / code / "mailmerge.csv")
        assert {r["patient_id"] for r in rows} == expected
        assert {r["practice_code"] for r in rows} == {code}
        assert (stage / "practices" / code / "letters.html").is_file()


def test_quarantine_lists_ids_and_reasons_overall_and_per_practice(written):
    stage, _ = written
    _, rows = read_csv(stage / "quarantine.csv")
    assert rows == [{"practice_code": "B82002", "patient_id": "b2", "reason": "postcode_invalid"}]
    raw, rows = read_csv(stage / "practices" / "A81001" / "quarantine.csv")
    assert rows == [] and raw == "\ufeffpractice_code,patient_id,reason\r\n".encode()


def test_nurse_list_has_no_address_nhs_number_or_clinical_detail(written):
    stage, _ = written
    raw, rows = read_csv(stage / "nurse_list.csv")
    assert list(rows[0]) == NURSE
    sean = next(r for r in rows if r["forename"] == "Seán")
    assert sean["date_of_birth"] == "31/01/1970" and sean["practice_code"] == "B82002"
    assert sean["postcode"] == "LE65 1AB"  # for the identity check when someone rings
    assert b"Mill Lane" not in raw and b"943" not in raw


def test_files_with_patient_data_are_owner_only_and_listed(written):
    stage, files = written
    on_disk = {p for p in stage.rglob("*") if p.is_file()}
    assert on_disk == set(files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not list(stage.rglob(".*.tmp"))


def test_quarantine_csv_is_written_when_nobody_is_quarantined_or_invited(tmp_path, no_chromium):
    r = RunDB()
    r.add("A81001", "p1", invited=False, stopped_by="age")
    con = r.build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    write_outputs(con, tmp_path, study=study(), letter_date=LETTER_DATE, reply_by=REPLY_BY)
    for name in ("quarantine.csv", "mailmerge.csv", "nurse_list.csv", "deferred.csv"):
        raw, rows = read_csv(tmp_path / name)
        assert rows == [] and raw.endswith(b"\r\n")
    assert pl.read_csv(tmp_path / "mailmerge.csv").columns[: len(MAILMERGE)] == MAILMERGE
    assert "No letters for" in (tmp_path / "practices" / "A81001" / "letters.html").read_text()


def test_address_block_leaves_out_blank_lines(tmp_path):
    r = RunDB()
    r.add("A81001", "gap", address=("1 Oak Road", "", "  ", "Ashby"), postcode="LE65 2CD")
    r.add("A81001", "one", address=("Flat 2", None, None, None), postcode="LE65 3EF")
    con = r.build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    write_outputs(con, tmp_path, study=study(), letter_date=LETTER_DATE, reply_by=REPLY_BY)
    _, rows = read_csv(tmp_path / "mailmerge.csv")
    blocks = {r["patient_id"]: r["address"] for r in rows}
    assert blocks == {"gap": "1 Oak Road\nAshby\nLE65 2CD", "one": "Flat 2\nLE65 3EF"}
