"""The compiler: fixed SQL text, values bound; a second study is a file, not code."""

import os
import re
from pathlib import Path

import pytest

from pipeline.paths import DEFAULT_STUDY
from pipeline.study.compile import compile_study
from pipeline.study.model import load_study

from .world import build, days, invited, study

GOLDEN = Path(__file__).parent / "golden"
SHIPPED = sorted((Path(__file__).resolve().parents[2] / "studies").glob("*.yaml"))
SECOND = """
name: back-pain-pilot
title: A second study, from a file alone
codelists:
  back_pain: {name: back_pain, version: "3"}
  back_pain_chronic: {name: back_pain_chronic, version: "1"}
  employment_status: {name: employment_status, version: "1"}
criteria:
  registered: {label: Registered, registered: true}
  alive: {label: Alive, alive: true}
  adult: {label: Aged 30 to 50, age: {min: 30, max: 50}}
  repeated:
    label: Three back-pain records 30 days apart in a year
    records: {codelist: back_pain, within_days: 365, min_count: 3, min_span_days: 30}
  chronic:
    label: Chronic back pain recorded twice
    records: {codelist: back_pain_chronic, within_days: 100, min_count: 2}
  back_pain: {label: Back pain, any: [repeated, chronic]}
  employed:
    label: Latest employment status is employed
    latest: {codelist: employment_status, within_days: 365, category_in: [employed]}
steps:
  - {require: registered}
  - {require: alive}
  - {require: adult}
  - {require: back_pain}
  - {exclude: employed}
"""


class PublishedEverything:
    """Every codelist name and version counts as published (the second study's
    codelists exist only in this test's codelist_codes table)."""

    def get(self, name, version):
        return object()

    def versions(self, name):
        return ["1"]


def second_study(tmp_path):
    path = tmp_path / "second.yaml"
    path.write_text(SECOND)
    return load_study(path, repository=PublishedEverything())


def test_same_study_same_sql_byte_for_byte():
    first, again = (
        compile_study(load_study(DEFAULT_STUDY)),
        compile_study(load_study(DEFAULT_STUDY)),
    )
    assert first.sql == again.sql and first.params == again.params


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_study_matches_its_golden_file(path):
    """Every studies/NAME.yaml loads against codelists/ and compiles to golden/NAME.sql.
    Regenerate with COHORT_UPDATE_GOLDEN=1 after a deliberate change to the study or
    the compiler (a new shipped study needs its golden file too)."""
    sql = compile_study(load_study(path)).sql
    golden = GOLDEN / f"{path.stem}.sql"
    if os.environ.get("COHORT_UPDATE_GOLDEN"):
        golden.write_text(sql)
    assert golden.exists(), (
        f"no golden SQL for {path.name}: run COHORT_UPDATE_GOLDEN=1 pytest {__file__}"
    )
    assert sql == golden.read_text()


def test_no_study_value_is_written_into_the_sql():
    compiled = compile_study(study())
    body = "\n".join(
        line
        for s in compiled.statements
        for line in s.sql.splitlines()
        if not line.strip().startswith("--")
    )
    for value in (
        "730",
        "365",
        "90",
        "18",
        "64",
        "employed",
        "retired",
        "chronic_pain_conditions'",
    ):
        assert not re.search(rf"(?<![\w$]){re.escape(value)}\b", body), value
    assert compiled.params["c1_within_days"] == 730
    assert compiled.params["employment_category_in"] == ["employed", "retired", "student"]
    assert (
        compiled.params["codelist_dementia"] == "dementia"
        and compiled.params["version_dementia"] == "1"
    )


def test_every_bound_parameter_is_used_and_every_used_one_bound():
    compiled = compile_study(study())
    used = {name for s in compiled.statements for name in s.parameter_names()}
    assert used == set(compiled.params)


def test_a_second_study_needs_only_a_file_and_codelists(tmp_path):
    second = second_study(tmp_path)
    compiled = compile_study(second)
    assert compiled.params["codelist_back_pain"] == "back_pain"
    assert compiled.params["adult_min"] == 30
    codes = """
    codelist          | version | coding_system | code     | term          | category
    back_pain         | 3       | readv2        | N2423    | Back pain     |
    back_pain_chronic | 1       | snomedct      | 82423001 | Chronic pain  |
    pain_medications  | 1       | dmd           | 1        | A medicine    |
    employment_status | 1       | snomedct      | 224363007| Employed      | employed
    """
    con = build(
        patients="""
        patient_id | date_of_birth | # note
        c1_three   | 1980-01-01    | 3 back-pain events 30+ days apart within 365 days
        c1_two     | 1980-01-01    | only 2 (InStep would invite)
        c2_once    | 1980-01-01    | one chronic pain code: this study asks for 2
        too_young  | 2000-01-01    | 24: under this study's 30
        """,
        events=f"""
        patient_id | event_date  | coding_system | code
        c1_three   | {days(300)} | readv2        | N2423
        c1_three   | {days(200)} | readv2        | N2423
        c1_three   | {days(10)}  | readv2        | N2423
        c1_two     | {days(300)} | readv2        | N2423
        c1_two     | {days(10)}  | readv2        | N2423
        c2_once    | {days(10)}  | snomedct      | 82423001
        too_young  | {days(300)} | readv2        | N2423
        too_young  | {days(200)} | readv2        | N2423
        too_young  | {days(10)}  | readv2        | N2423
        """,
        codes=codes,
        pain=False,
    )
    assert invited(con, second) == {"c1_three"}
