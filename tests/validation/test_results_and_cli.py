"""What validation writes and prints: `cohort validate`, results.json and
results.html (counts only, owner-only, self-contained), and how the results of
a run's three validation stages add up in one folder."""

from __future__ import annotations

import json
import stat

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.validation import Outcome, ValidationSummary, write_results
from pipeline.validation.html import render_html

from .extracts import event, medication, patient, write_extract

PATIENT_VALUES = ("Smith", "Ann", "Mill Lane", "LE65", "1019-06-15", "943000")


def extract(tmp_path, *, bad: bool):
    patients = [patient(i) for i in range(25)]
    if bad:
        patients[3] = patient(3, date_of_birth="1019-06-15")
    return write_extract(
        tmp_path / "A81001", patients=patients, events=[event(1)], medications=[medication(1)]
    )


def test_cohort_validate_stops_on_a_blocking_failure_and_writes_counts_only(tmp_path):
    folder, out = extract(tmp_path, bad=True), tmp_path / "results"
    result = CliRunner().invoke(main, ["validate", str(folder), "--out", str(out)])
    assert result.exit_code == 6
    assert (
        result.stderr
        == 'cohort: validation failed: patients suite, "date_of_birth after 1900-01-01" (blocking): 1 row\n'
    )
    assert "  patients      37 checks  1 BLOCKING" in result.stdout
    doc = json.loads((out / "results.json").read_text())
    assert (doc["passed"], len(doc["results"]), [s["name"] for s in doc["suites"]]) == (
        False,
        79,
        ["patients", "events", "medications"],
    )
    dob = next(r for r in doc["results"] if r["description"] == "date_of_birth after 1900-01-01")
    assert (dob["success"], dob["unexpected_count"], dob["table"], dob["column"]) == (
        False,
        1,
        "patients",
        "date_of_birth",
    )
    for name in ("results.json", "results.html"):
        text = (out / name).read_text()
        assert [v for v in PATIENT_VALUES if v in text] == [], name
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600


def test_cohort_validate_without_out_writes_nothing(tmp_path):
    folder = extract(tmp_path, bad=False)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "all passed" in result.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def outcome(
    suite: str, description: str, *, success: bool, severity: str = "blocking", count: int = 0
) -> Outcome:
    return Outcome(
        suite=suite, table=suite, number=1, description=description, type="unexpected_rows_expectation",
        column=None, severity=severity, success=success, unexpected_count=count,
    )  # fmt: skip


def summary(*outcomes: Outcome) -> ValidationSummary:
    return ValidationSummary(
        suites=tuple(dict.fromkeys(o.suite for o in outcomes)), outcomes=outcomes
    )


def test_each_stage_of_a_run_replaces_only_its_own_suites(tmp_path):
    write_results(summary(outcome("patients", "p", success=True)), tmp_path)
    write_results(summary(outcome("cohort", "c", success=True)), tmp_path)
    write_results(summary(outcome("patients", "p", success=False, count=3)), tmp_path)
    doc = json.loads((tmp_path / "results.json").read_text())
    assert [s["name"] for s in doc["suites"]] == ["patients", "cohort"]
    assert [(r["suite"], r["success"], r["unexpected_count"]) for r in doc["results"]] == [
        ("patients", False, 3),
        ("cohort", True, 0),
    ]
    assert doc["passed"] is False


def test_the_page_is_self_contained_and_escapes_what_it_shows(tmp_path):
    risky = outcome("patients", '<script>alert("x")</script>', success=False, count=2)
    page = render_html(summary(risky).to_dict())
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    assert "Blocking failure: the run stopped" in page


def test_warnings_alone_pass_and_blocking_failures_are_counted_in_the_message():
    warn = outcome("events", "w", success=False, severity="warning", count=1)
    assert summary(warn).passed and summary(warn).failure_message() is None
    many = summary(*(outcome("patients", f"b{i}", success=False, count=i + 1) for i in range(3)))
    assert many.failure_message() == (
        'validation failed: patients suite, "b0" (blocking): 1 row; '
        "and 2 more blocking failures (see validation/results.html)"
    )
