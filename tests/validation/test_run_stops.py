"""`cohort run` stopped by a blocking validation failure: exit 6, the one-line
reason, the validation results kept, and nothing that could be mailed."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from pipeline import paths
from pipeline.cli import main

from .extracts import event, medication, patient, write_extract

ALWAYS_FAILS = """
suite: invitations
tables:
  invitations:
    - description: nobody is invited (a check made to fail)
      type: expect_table_row_count_to_equal
      kwargs: {value: 0}
      meta: {severity: blocking}
"""


def run(tmp_path, *, date_of_birth: str = "1980-06-15"):
    patients = [patient(i) for i in range(6)]
    patients[2] = patient(2, date_of_birth=date_of_birth)
    folder = write_extract(
        tmp_path / "extract" / "A81001",
        patients=patients,
        events=[event(i, code="82423001") for i in range(6)],
        medications=[medication(0)],
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(folder),
            "--workspace",
            str(tmp_path / "ws"),
            "--out",
            str(out),
            "--quiet",
            "--new-workspace",
        ],
    )
    return result, out


def assert_nothing_to_mail(out) -> None:
    assert (out / "validation" / "results.json").is_file()
    assert (out / "validation" / "results.html").is_file()
    assert not (out / "mailmerge.csv").exists()
    assert not (out / "practices").exists()
    assert list(out.rglob("letters*")) == []


def test_a_bad_extract_stops_the_run_before_anything_is_mailed(tmp_path):
    result, out = run(tmp_path, date_of_birth="1019-06-15")
    assert result.exit_code == 6, result.output
    assert result.stderr.splitlines()[-1] == (
        'cohort: validation failed: patients suite, "date_of_birth after 1900-01-01" (blocking): 1 row'
    )
    assert_nothing_to_mail(out)
    doc = json.loads((out / "validation" / "results.json").read_text())
    assert [s["name"] for s in doc["suites"]] == ["patients", "events", "medications"]


@pytest.fixture
def failing_invitations_suite(tmp_path, monkeypatch):
    suites = tmp_path / "expectations"
    shutil.copytree(paths.EXPECTATIONS_DIR, suites)
    (suites / "invitations.yaml").write_text(ALWAYS_FAILS, encoding="utf-8")
    monkeypatch.setattr(paths, "EXPECTATIONS_DIR", suites)


def test_a_failed_invitation_check_stops_the_run_before_anything_is_mailed(
    tmp_path, failing_invitations_suite
):
    result, out = run(tmp_path)
    assert result.exit_code == 6, result.output
    assert result.stderr.splitlines()[-1] == (
        'cohort: validation failed: invitations suite, "nobody is invited (a check made to fail)" (blocking): failed'
    )
    assert_nothing_to_mail(out)
    doc = json.loads((out / "validation" / "results.json").read_text())
    assert [(s["name"], s["blocking_failures"]) for s in doc["suites"]] == [
        ("patients", 0),
        ("events", 0),
        ("medications", 0),
        ("cohort", 0),
        ("invitations", 1),
    ]
