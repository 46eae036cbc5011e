"""The patients, events and medications suites on small extracts.

Bad extracts go through the real loader wherever the loader lets the fault
through; faults the loader refuses (a missing column, a duplicate id) are put
straight into DuckDB tables. Every blocking expectation in the three suite
files must be seen stopping validation on at least one of these, and every
warning must be reported without stopping it.
"""

from __future__ import annotations

import pytest

from pipeline import db
from pipeline.errors import ValidationFailed
from pipeline.extract import load_extracts
from pipeline.validation import EXTRACT_SUITES, read_suite, run_suites

from .extracts import event, medication, patient, write_extract
from .subsets import column_checks_only

N = 25  # patients per practice: above the 20 the NHS-number share needs


def loaded(tmp_path, **tables):
    folder = write_extract(tmp_path / "extract" / "A81001", **tables)
    con = db.connect()
    load_extracts(con, [folder])
    return con


def failed(summary, severity: str = "blocking") -> set[tuple[str, str]]:
    """(suite, description) of each expectation that failed for real (not by erroring)."""
    return {
        (o.suite, o.description)
        for o in summary.outcomes
        if not o.success and not o.error and o.severity == severity
    }


def clean_tables() -> dict:
    return {
        "patients": [patient(i) for i in range(N)],
        "events": [event(i) for i in range(N)]
        + [
            event(1, coding_system="readv2", code="N245.00"),
            event(2, coding_system="ctv3", code="XaZ89"),
        ],
        "medications": [medication(i) for i in range(N)]
        + [medication(3, coding_system="bnf", code="0408010G0AAABAB")],
    }


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("extract_suites")


@pytest.fixture(scope="module")
def clean(module_tmp):
    return run_suites(loaded(module_tmp / "clean", **clean_tables()), EXTRACT_SUITES)


@pytest.fixture(scope="module")
def bad_through_loader(module_tmp):
    """One extract with every fault the loader lets through that a blocking check catches."""
    tables = clean_tables()
    tables["patients"][0] = patient(0, date_of_birth="1019-03-01")  # a mistyped year
    tables["patients"][1] = patient(1, date_of_birth="2030-01-01")  # after the extract date
    tables["events"] += [
        event(4, coding_system="readv2", code="N24"),
        event(5, coding_system="ctv3", code="XaZ8"),
        event(6, coding_system="snomedct", code="8.24E+07"),  # a code spoilt by a spreadsheet
    ]
    tables["medications"] += [
        medication(4, coding_system="dmd", code="4201"),
        medication(5, coding_system="bnf", code="Tramadol"),
    ]
    return run_suites(loaded(module_tmp / "bad", **tables), EXTRACT_SUITES)


@pytest.fixture(scope="module")
def wrong_nhs_column(module_tmp):
    """The practice exported phone numbers into nhs_number: few pass Modulus 11."""
    patients = [patient(i, nhs_number=f"07700 900{i:03d}") for i in range(N)]
    patients[:2] = [patient(0), patient(1)]
    return run_suites(loaded(module_tmp / "nhs", patients=patients), ["patients"])


@pytest.fixture(scope="module")
def broken_tables():
    """Faults the loader refuses, written straight into the run's tables."""
    con = db.connect()
    db.script(con, "load/tables")
    con.execute(
        "INSERT INTO practices VALUES ('A81001', 'Ashby', NULL, DATE '2024-05-01', [], '/x')"
    )
    for table in ("patients", "events", "medications"):
        con.execute(f"DROP TABLE {table}")
    con.execute(
        "CREATE TABLE patients AS SELECT * FROM (VALUES"
        " ('A81001', 'P1', '9430000004', true, 1, 'Ann', 'Smith', DATE '1980-01-01', 'F', '1 Mill Lane',"
        "  NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, 'LE65 1AB', true, DATE '2000-01-01', NULL::DATE, NULL::DATE),"
        " ('A81001', 'P1', '9430000012', true, 1, 'Bob', 'Smith', DATE '1981-01-01', 'X', '1 Mill Lane',"
        "  NULL, NULL, NULL, 'LE65 1AB', true, DATE '2000-01-01', NULL, NULL),"
        " (NULL, NULL, '9430000020', true, 1, 'Cy', 'Smith', NULL, NULL, '1 Mill Lane',"
        "  NULL, NULL, NULL, 'LE65 1AB', true, NULL, NULL, NULL)"
        ") AS t (practice_code, patient_id, nhs_number, nhs_number_valid, title, forename, surname,"
        " date_of_birth, sex, address_line_1, address_line_2, address_line_3, address_line_4, postcode,"
        " postcode_valid, registration_date, deregistration_date, date_of_death)"
    )  # title is a number: the type check must say so
    con.execute(
        "CREATE TABLE events AS SELECT * FROM (VALUES"
        " ('A81001', 'P1', DATE '2020-01-01', 'icd10', 'M545', 'high'),"
        " ('A81001', 'P404', DATE '2020-01-01', 'snomedct', '279039007', NULL),"
        " (NULL, NULL, NULL, NULL, NULL, NULL)"
        ") AS t (practice_code, patient_id, event_date, coding_system, code, value)"
    )
    con.execute(
        "CREATE TABLE medications AS SELECT * FROM (VALUES"
        " ('A81001', 'P1', DATE '2020-01-01', 'multilex', '1234567', 'monthly', 28.0, '28'),"
        " ('A81001', 'P404', DATE '2020-01-01', 'dmd', '42017811000001106', 'repeat', 28.0, '28'),"
        " (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
        ") AS t (practice_code, patient_id, issue_date, coding_system, code, issue_type, quantity_text, quantity)"
    )  # quantity is text
    return run_suites(con, EXTRACT_SUITES)


SPARSE = (
    "events",
    "every practice has events (none, or fewer than its patients, means a damaged or wrong file)",
)
NO_ISSUES = (
    "medications",
    "every practice has prescription issues (none, or fewer than its patients, means a damaged or wrong file)",
)


def few_records(folder, *, manifest_extra: str = ""):
    """120 patients with 119 events and no prescription issues: a damaged export."""
    tables = {
        "patients": [patient(i) for i in range(120)],
        "events": [event(i) for i in range(119)],
    }
    con = db.connect()
    load_extracts(con, [write_extract(folder, manifest_extra=manifest_extra, **tables)])
    return run_suites(con, ["events", "medications"])


@pytest.fixture(scope="module")
def sparse(module_tmp):
    return few_records(module_tmp / "sparse" / "A81001")


def test_a_practice_with_no_or_too_few_records_fails_a_blocking_check(sparse):
    assert failed(sparse) == {SPARSE, NO_ISSUES}
    by_description = {o.description: o for o in sparse.outcomes}
    assert (by_description[SPARSE[1]].unexpected_count, by_description[SPARSE[1]].unit) == (
        1,
        "practices",
    )


def test_as_many_records_as_patients_pass(tmp_path):
    tables = {
        "patients": [patient(i) for i in range(120)],
        "events": [event(i) for i in range(120)],
        "medications": [medication(i % 3) for i in range(120)],
    }
    con = db.connect()
    load_extracts(con, [write_extract(tmp_path / "A81001", **tables)])
    assert failed(run_suites(con, ["events", "medications"])) == set()


def test_the_manifest_can_say_a_table_is_expected_to_be_sparse(tmp_path):
    summary = few_records(tmp_path / "A81001", manifest_extra="sparse_tables: [medications]\n")
    assert failed(summary) == {SPARSE}


@pytest.fixture(scope="module")
def no_columns(module_tmp):
    con = db.connect()
    for table in ("patients", "events", "medications"):
        con.execute(f"CREATE TABLE {table} (x INTEGER)")
    return run_suites(
        con, EXTRACT_SUITES, suites_dir=column_checks_only(module_tmp / "suites", EXTRACT_SUITES)
    )


@pytest.fixture(scope="module")
def warnings_only(module_tmp):
    """Every record-level oddity the rules tolerate, and nothing that blocks."""
    tables = clean_tables()
    p = tables["patients"]
    p[0] = patient(0, nhs_number="12345")  # not 10 digits (1 of 25: the share stays above 90%)
    p[1] = patient(1, address_line_1="")
    p[2] = patient(2, address_line_1="")  # 2 of 25 without address: under 95%
    p[3] = patient(3, postcode="not known")
    p[4] = patient(4, postcode="12345")  # 2 of 25 invalid postcodes
    p[5] = patient(5, registration_date="1975-01-01")  # before birth
    p[6] = patient(6, deregistration_date="1999-01-01")  # before registration
    p[7] = patient(7, date_of_death="1970-01-01")  # before birth
    p[8] = patient(8, registration_date="2024-06-01")  # after the extract date
    p[9] = patient(9, nhs_number=p[10]["nhs_number"])  # one person twice
    tables["events"] += [event(11, event_date="1019-01-01"), event(12, event_date="1979-01-01")]
    # One spoilt SNOMED CT code in 100 or more: within the blocking check's tolerance.
    tables["events"] += [event(i % N) for i in range(100)] + [event(0, code="8.24E+07")]
    tables["medications"] += [
        medication(11, quantity="-28"),
        medication(12, issue_date="1019-01-01"),
        medication(13, issue_date="1979-01-01"),
    ]
    return run_suites(loaded(module_tmp / "warn", **tables), EXTRACT_SUITES)


def test_a_clean_extract_passes_every_check(clean):
    assert [o.description for o in clean.outcomes if not o.success or o.unexpected_count] == []
    assert clean.passed
    clean.raise_if_blocking()
    assert "patients      37 checks  all passed" in clean.text()


def test_a_wrong_nhs_number_column_stops_validation(wrong_nhs_column):
    assert failed(wrong_nhs_column) == {
        ("patients", "at least 90% valid NHS numbers in each practice of 20 or more patients")
    }
    assert wrong_nhs_column.failure_message().endswith("(blocking): 1 practice")


def test_faults_the_loader_lets_through_are_named(bad_through_loader):
    assert failed(bad_through_loader) == {
        ("patients", "date_of_birth after 1900-01-01"),
        ("patients", "date_of_birth not after the practice's extract date"),
        ("events", "readv2 codes are 5 characters (99% or more)"),
        ("events", "ctv3 codes are 5 characters (99% or more)"),
        ("events", "snomedct codes are 6-18 digits (99% or more)"),
        ("medications", "dmd codes are 6-18 digits (99% or more)"),
        ("medications", "bnf codes are 2-15 characters of BNF shape (99% or more)"),
    }


def test_faults_the_loader_refuses_are_named(broken_tables):
    assert failed(broken_tables) == {
        ("patients", "column types as in the contract"),
        ("patients", "practice_code present"),
        ("patients", "patient_id present"),
        ("patients", "date_of_birth present"),
        ("patients", "sex present"),
        ("patients", "registration_date present"),
        ("patients", "one row per practice_code + patient_id"),
        ("patients", "sex is M, F, I or U"),
        ("events", "column types as in the contract"),
        ("events", "practice_code present"),
        ("events", "patient_id present"),
        ("events", "event_date present"),
        ("events", "coding_system present"),
        ("events", "code present"),
        ("events", "coding_system is readv2, ctv3 or snomedct"),
        ("events", "every event's patient is in patients"),
        ("medications", "column types as in the contract"),
        ("medications", "practice_code present"),
        ("medications", "patient_id present"),
        ("medications", "issue_date present"),
        ("medications", "coding_system present"),
        ("medications", "code present"),
        ("medications", "coding_system is dmd or bnf"),
        ("medications", "issue_type is acute or repeat when given"),
        ("medications", "every issue's patient is in patients"),
    }
    types = next(
        o
        for o in broken_tables.outcomes
        if o.suite == "patients" and o.description.startswith("column types")
    )
    assert (types.unexpected_count, types.unit) == (1, "columns")


def test_missing_columns_are_named_one_by_one(no_columns):
    missing = {
        (s, d) for s, d in failed(no_columns) if d.startswith("column ") and d.endswith(" exists")
    }
    assert len(missing) == 18 + 6 + 7


def test_every_blocking_expectation_is_seen_stopping_validation(
    bad_through_loader, wrong_nhs_column, broken_tables, no_columns, sparse
):
    summaries = (bad_through_loader, wrong_nhs_column, broken_tables, no_columns, sparse)
    seen = set().union(*(failed(s) for s in summaries))
    blocking = {
        (n, e.description)
        for n in EXTRACT_SUITES
        for e in read_suite(n).expectations
        if e.severity == "blocking"
    }
    assert blocking - seen == set()
    for summary in summaries:
        with pytest.raises(ValidationFailed):
            summary.raise_if_blocking()


def test_every_warning_is_reported_without_stopping(warnings_only):
    warnings = {
        (n, e.description)
        for n in EXTRACT_SUITES
        for e in read_suite(n).expectations
        if e.severity == "warning"
    }
    assert failed(warnings_only, "warning") == warnings
    assert failed(warnings_only) == set()
    warnings_only.raise_if_blocking()  # does not raise
    assert warnings_only.passed
    text = warnings_only.text().splitlines()
    assert text[1:4] == [
        "  patients      37 checks  8 warnings",
        "  events        20 checks  2 warnings",
        "  medications   22 checks  3 warnings",
    ]
    assert "  warning   patients suite: nhs_number is 10 digits when present: 1 row" in text
    assert text[-1] == "  … and 6 more (see validation/results.html)"


def test_codes_within_the_tolerance_pass_and_are_counted(warnings_only):
    snomed = next(o for o in warnings_only.outcomes if o.description.startswith("snomedct codes"))
    assert (snomed.success, snomed.unexpected_count, snomed.tolerated) == (True, 1, True)
    assert snomed.severity == "blocking"
