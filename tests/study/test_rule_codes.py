"""Codes match exactly, within their coding system, as the loader stores them: a
7-character Read v2 code (code + term id) counts as its 5-character code, a Read v2
descendant counts through the expanded codelist, a lower-case code is another code."""

import datetime as dt
from pathlib import Path

from pipeline import db
from pipeline.codelists.compile import build_codelist_table
from pipeline.codelists.repository import load_repository
from pipeline.extract import load_extracts

from .extracts import write_practice
from .world import CODES, INSTEP, create_run_tables, insert, invited, parse_table

EXTRACT_DATE = dt.date(2024, 6, 30)
# Two Read v2 events 200 days apart for each patient: C1 holds only if both match.
EVENTS = {
    "seven": ("16C2.00", "16C2.00"),  # 7-character form of the descendant 16C2.
    "five": ("16C..", "16C2."),
    "lower": ("16C..", "16c2."),
}


def write_extract(folder: Path) -> Path:
    events = [
        (pid, EXTRACT_DATE - dt.timedelta(days=n), "readv2", code)
        for pid, codes in EVENTS.items()
        for n, code in zip((300, 100), codes, strict=True)
    ]
    return write_practice(
        folder,
        practice_code="A00001",
        extract_date=EXTRACT_DATE,
        patients=list(EVENTS),
        events=events,
    )


def loaded(tmp_path: Path):
    con = db.connect()
    load_extracts(con, [write_extract(tmp_path / "A00001")])
    create_run_tables(con)
    con.execute("INSERT INTO run_practices SELECT practice_code, extract_date FROM practices")
    return con


def test_seven_character_read_code_loaded_by_the_loader_matches(tmp_path):
    con = loaded(tmp_path)
    insert(con, "codelist_codes", parse_table(CODES))
    assert con.execute(
        "SELECT DISTINCT code FROM events WHERE patient_id = 'seven'"
    ).fetchall() == [("16C2.",)]
    assert invited(con) == {"seven", "five"}


def test_with_the_shipped_codelists_expanded_against_the_extract(tmp_path):
    con = loaded(tmp_path)
    repo = load_repository()
    build_codelist_table(
        con, [repo.get(name, version) for _, name, version in INSTEP.codelist_refs()]
    )
    assert invited(con) == {"seven", "five"}
