"""`cohort check`: what a run would do, from an extract, without writing anything."""

import datetime as dt

import pytest
from click.testing import CliRunner

from pipeline import db
from pipeline.cli import main
from pipeline.commands.check import check
from pipeline.errors import UsageError
from pipeline.paths import DEFAULT_STUDY
from pipeline.progress import Progress

from .fixtures import PLANTED, write_extract


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """The check's findings on one small practice (without the GX suites)."""
    root = tmp_path_factory.mktemp("extract")
    write_extract(root, patients=12)
    con = db.connect()
    result = check(
        con, extracts=[root], study_path=DEFAULT_STUDY, index_date=dt.date(2023, 12, 31), top=10,
        progress=Progress(quiet=True),
        stages=("study_definition", "load", "index_dates", "check_counts", "codelists", "check_codes"),
    )  # fmt: skip
    con.close()
    return result


def test_patients_and_date_ranges_per_practice(checked):
    (practice,) = checked.practices
    assert practice["practice_code"] == "J82001"
    assert practice["patients"] == 12
    assert practice["registered"] == 12
    assert (practice["events"], practice["issues"]) == (5, 2)
    assert (
        str(practice["first_event"]) == "2022-11-30" and str(practice["last_event"]) == "2025-01-01"
    )


def test_records_after_the_extract_and_the_index_date_are_counted(checked):
    assert checked.future == {("J82001", "events"): 1, ("J82001", "medications"): 0}
    # 2024-01-01 .. 2024-03-31 (the extract date): none in the fixture
    assert checked.after_index == {}


def test_coding_systems_seen(checked):
    seen = {(s["table_name"], s["coding_system"]): s["records"] for s in checked.systems}
    assert seen == {
        ("events", "snomedct"): 4,
        ("events", "readv2"): 1,
        ("medications", "dmd"): 1,
        ("medications", "bnf"): 1,
    }


def test_codes_in_no_codelist_are_listed_most_frequent_first(checked):
    unlisted = [(u["coding_system"], u["code"], u["records"]) for u in checked.unlisted]
    assert unlisted[0] == ("snomedct", "38341003", 2)
    assert ("readv2", "G20..", 1) in unlisted and ("bnf", "0212000B0AAABAB", 1) in unlisted
    assert all(code not in ("82423001", "42017811000001106") for _, code, _ in unlisted)


def test_codelist_hits_show_which_codelists_match(checked):
    hits = {c["codelist"]: c["records"] for c in checked.codelist_hits}
    assert hits["chronic_pain_diagnosis"] == 2  # one of them after the extract date: still a hit
    assert hits["pain_medications"] == 1
    assert hits["dementia"] == 0


def test_an_index_date_after_an_extract_date_is_refused(tmp_path):
    write_extract(tmp_path)
    con = db.connect()
    with pytest.raises(
        UsageError, match=r"--index-date 2024-04-01 is after practice J82001's extract date"
    ):
        check(
            con, extracts=[tmp_path], study_path=DEFAULT_STUDY, index_date=dt.date(2024, 4, 1),
            top=10, progress=Progress(quiet=True), stages=("study_definition", "load", "index_dates"),
        )  # fmt: skip
    con.close()


@pytest.mark.slow
def test_check_command_end_to_end(tmp_path):
    """The whole command, with the GX suites (slow: Great Expectations)."""
    write_extract(tmp_path / "extracts", patients=12)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["check", str(tmp_path / "extracts")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Extract: 1 practice(s), 12 patients" in out
    assert "Records dated after the extract date" in out and "J82001: events 1" in out
    assert "Validation:" in out
    assert "38341003" in out
    assert "A run would go ahead" in out
    for value in PLANTED.values():
        assert value not in out
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written
