"""Compiling codelist versions into the run database's codelist_codes table."""

from __future__ import annotations

import pytest

from pipeline import db
from pipeline.codelists.compile import build_codelist_table, codelist_sql
from pipeline.codelists.expand import expand
from pipeline.codelists.repository import load_repository

from .builders import entries, version
from .test_shipped import NAMES, SEEN

EVENTS = "CREATE TABLE events (practice_code VARCHAR, patient_id VARCHAR, event_date DATE, coding_system VARCHAR, code VARCHAR, value DOUBLE)"
MEDICATIONS = "CREATE TABLE medications (practice_code VARCHAR, patient_id VARCHAR, issue_date DATE, coding_system VARCHAR, code VARCHAR, issue_type VARCHAR, quantity DOUBLE)"
BACK = version(
    name="back",
    include=(*entries("readv2", "16C..+"), *entries("snomedct", "279039007")),
    exclude=entries("readv2", "16C9."),
    code_table=[("readv2", "16CZ.", "Backache symptom NOS")],
)
OPIOIDS = version(name="opioids", include=entries("bnf", "040702+"))


def codes(con) -> list[tuple]:
    return con.execute("SELECT * FROM codelist_codes").fetchall()


def with_records(con, events=(), medications=()):
    con.execute(EVENTS)
    con.execute(MEDICATIONS)
    for system, code in events:
        con.execute(
            "INSERT INTO events VALUES ('A', '1', DATE '2024-01-01', ?, ?, NULL)", [system, code]
        )
    for system, code in medications:
        con.execute(
            "INSERT INTO medications VALUES ('A', '1', DATE '2024-01-01', ?, ?, 'repeat', 28)",
            [system, code],
        )
    return con


def test_without_events_or_medications_tables():
    con = db.connect()
    assert build_codelist_table(con, [BACK, OPIOIDS]) == 4
    assert codes(con) == [
        ("back", "1", "readv2", "16C..", "term of 16C..", None),
        ("back", "1", "readv2", "16CZ.", "Backache symptom NOS", None),
        ("back", "1", "snomedct", "279039007", "term of 279039007", None),
        ("opioids", "1", "bnf", "040702", "term of 040702", None),
    ]


def test_with_empty_tables_and_no_versions():
    con = with_records(db.connect())
    assert build_codelist_table(con, [BACK]) == 3
    assert build_codelist_table(con, []) == 0
    assert [c[0] for c in con.execute("DESCRIBE codelist_codes").fetchall()] == [
        "codelist", "version", "coding_system", "code", "term", "category",
    ]  # fmt: skip


def test_prefixes_expand_against_the_codes_in_the_data():
    con = with_records(
        db.connect(),
        events=[
            ("readv2", "16C2."),
            ("readv2", "16C9."),
            ("readv2", "16c2."),
            ("ctv3", "16C3."),
            ("snomedct", "161891005"),
        ],
        medications=[("bnf", "040702040AAAAAA"), ("bnf", "0408010G0AAAAAA"), ("dmd", "040702999")],
    )
    build_codelist_table(con, [BACK, OPIOIDS])
    got = {(c[0], c[3]): c[4] for c in codes(con)}
    assert got == {
        ("back", "16C.."): "term of 16C..",
        ("back", "16C2."): "descendant of 16C.. term of 16C..",
        ("back", "16CZ."): "Backache symptom NOS",
        ("back", "279039007"): "term of 279039007",
        ("opioids", "040702"): "term of 040702",
        ("opioids", "040702040AAAAAA"): "descendant of 040702 term of 040702",
    }


def test_definitions_are_kept_in_the_run_database():
    con = db.connect()
    build_codelist_table(con, [BACK])
    rows = con.execute(
        "SELECT codelist, coding_system, code, prefix, descendants, excluded FROM codelist_definitions"
    ).fetchall()
    assert rows == [
        ("back", "readv2", "16C..", "16C", True, False),
        ("back", "readv2", "16C9.", None, False, True),
        ("back", "snomedct", "279039007", None, False, False),
    ]


def test_the_sql_is_fixed_text_with_values_bound():
    text = codelist_sql()
    assert text == codelist_sql()
    assert "$systems" in text and "-- sql/codelists/codes.sql" in text
    statements = "\n".join(line.split("--")[0] for line in text.splitlines())  # without comments
    for literal in ("16C", "040702", "279039007", "chronic_pain", "readv2", "snomedct"):
        assert literal not in statements


@pytest.fixture(scope="module")
def shipped():
    repo = load_repository()
    return [repo.get(name, "1") for name in NAMES]


def test_same_inputs_give_identical_rows_in_identical_order(shipped):
    first = with_records(
        db.connect(),
        events=[k for k in SEEN if k[0] == "readv2"],
        medications=[k for k in SEEN if k[0] == "bnf"],
    )
    build_codelist_table(first, shipped)
    second = with_records(
        db.connect(threads=1),
        events=[k for k in reversed(SEEN) if k[0] == "readv2"],
        medications=[k for k in SEEN if k[0] == "bnf"],
    )
    build_codelist_table(second, list(reversed(shipped)) + shipped[:2])
    assert codes(first) == codes(second)


def test_shipped_codelists_compile_as_python_expands_them(shipped):
    con = with_records(
        db.connect(),
        events=[k for k in SEEN if k[0] == "readv2"],
        medications=[k for k in SEEN if k[0] == "bnf"],
    )
    build_codelist_table(con, shipped)
    expected = [
        (v.name, v.version, c.coding_system, c.code, c.term, c.category)
        for v in shipped
        for c in expand(v, SEEN)
    ]
    assert codes(con) == sorted(expected, key=lambda row: row[:4])


def test_the_study_join_is_a_hash_join():
    con = with_records(db.connect(), events=[("readv2", "16C2."), ("snomedct", "279039007")])
    build_codelist_table(con, [BACK])
    plan = "\n".join(
        row[1]
        for row in con.execute(
            "EXPLAIN SELECT e.patient_id, c.codelist FROM events AS e "
            "INNER JOIN codelist_codes AS c ON e.coding_system = c.coding_system AND e.code = c.code"
        ).fetchall()
    )
    assert "Hash Join" in plan or "HASH_JOIN" in plan
