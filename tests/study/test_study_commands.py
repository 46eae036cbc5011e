"""`cohort sql` and `cohort impact` from the command line."""

import datetime as dt
import os

from click.testing import CliRunner

from pipeline.cli import main

from .extracts import write_practice

D = dt.date(2024, 6, 30)


def cohort(*args: str):
    return CliRunner().invoke(main, list(args))


def test_sql_prints_the_codelist_stage_then_the_study_the_same_every_time():
    first, again = cohort("sql"), cohort("sql")
    assert first.exit_code == 0, first.output
    assert first.output == again.output
    codelists = first.output.index("-- sql/codelists/")
    study = first.output.index("-- generated: population")
    assert codelists < study
    assert "--   $c1_within_days = 730" in first.output


def test_sql_with_a_broken_study_file_is_one_line_and_exit_code_5(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    result = cohort("sql", "--study", str(bad))
    assert result.exit_code == 5
    assert result.output.count("\n") == 1 and "title: missing" in result.output


def extract(tmp_path):
    return write_practice(
        tmp_path / "extracts" / "A00001",
        practice_code="A00001",
        extract_date=D,
        patients=["p1", "p2"],
        events=[("p1", D - dt.timedelta(days=10), "snomedct", "82423001")],
    )


def listing(root) -> list[str]:
    return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)


def test_impact_reports_and_writes_nothing(tmp_path):
    folder = extract(tmp_path)
    before = listing(tmp_path)
    result = cohort(
        "impact",
        str(folder),
        "--codelist",
        "dementia",
        "--from",
        "1",
        "--to",
        "1",
        "--index-date",
        str(D),
    )
    assert result.exit_code == 0, result.output
    assert (
        "Codelist dementia: version 1 -> 1 (study instep, index date 2024-06-30)" in result.output
    )
    assert "Invited with version 1: 1; with version 1: 1; join: 0; leave: 0." in result.output
    assert listing(tmp_path) == before


def test_impact_with_an_unknown_version_says_which_exist(tmp_path):
    result = cohort(
        "impact", str(extract(tmp_path)), "--codelist", "dementia", "--from", "1", "--to", "9"
    )
    assert result.exit_code == 4
    assert "codelist dementia has no version '9' (it has 1)" in result.output


def test_impact_index_date_after_the_extract_is_refused(tmp_path):
    result = cohort(
        "impact",
        str(extract(tmp_path)),
        "--codelist",
        "dementia",
        "--from",
        "1",
        "--to",
        "1",
        "--index-date",
        "2030-01-01",
    )
    assert result.exit_code == 2
    assert "after practice A00001's extract date" in result.output
