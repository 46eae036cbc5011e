"""Failures first, each with how to fix it; the rows behind them in a practice-only
validation/failed_rows.csv (file, line, patient id), never in the shareable results."""

from __future__ import annotations

import csv
import json
import stat

from click.testing import CliRunner

from pipeline.cli import main

from .extracts import event, medication, patient, write_extract

DOB = "date_of_birth after 1900-01-01"
BEFORE_BIRTH = "no event before the patient's birth"


def validate(tmp_path, *folders):
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["validate", *map(str, folders), "--out", str(out)])
    return result, out


def failed_rows(out) -> list[dict]:
    with (out / "failed_rows.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def two_practices(tmp_path):
    clean = write_extract(
        tmp_path / "x" / "A81001",
        patients=[patient(i) for i in range(25)],
        events=[event(i) for i in range(25)],
        medications=[medication(i) for i in range(25)],
    )
    patients = [patient(i) for i in range(25)]
    patients[3] = patient(3, date_of_birth="1019-06-15")  # line 5: row 1 is the header
    events = [event(i) for i in range(25)]
    events[10] = event(10, event_date="1975-01-01")  # before 1980: line 12
    bad = write_extract(
        tmp_path / "x" / "A81002",
        practice_code="A81002",
        patients=patients,
        events=events,
        medications=[medication(i) for i in range(25)],
    )
    return clean, bad


def test_the_rows_behind_each_failure_are_named_by_file_line_and_patient(tmp_path):
    clean, bad = two_practices(tmp_path)
    result, out = validate(tmp_path, clean.parent)
    assert result.exit_code == 6
    rows = failed_rows(out)
    assert [
        (r["check"], r["severity"], r["file"], r["line"], r["practice_code"], r["patient_id"])
        for r in rows
    ] == [
        (DOB, "blocking", str(bad / "patients.csv"), "5", "A81002", "P0003"),
        (BEFORE_BIRTH, "warning", str(bad / "events.csv"), "12", "A81002", "P0010"),
    ]
    assert stat.S_IMODE((out / "failed_rows.csv").stat().st_mode) == 0o600
    assert "validation/failed_rows.csv" in result.stdout


def test_the_shareable_results_hold_no_patient_id_and_put_failures_first_with_a_fix(tmp_path):
    _, _ = two_practices(tmp_path)
    _, out = validate(tmp_path, tmp_path / "x")
    doc = json.loads((out / "results.json").read_text())
    assert doc["failed_rows"] == {"file": "failed_rows.csv", "rows": 2}
    dob = next(r for r in doc["results"] if r["description"] == DOB)
    assert "failed_rows.csv" in dob["fix"] and "date_of_birth" in dob["fix"]
    html = (out / "results.html").read_text()
    for name in ("results.json", "results.html"):
        assert "P0003" not in (out / name).read_text() and "P0010" not in (out / name).read_text()
    to_fix = html.index('id="to-fix"')
    before_birth = html.index("no event before the patient")
    assert to_fix < html.index(DOB) < before_birth < html.index('id="suite-patients"')
    assert html.index(DOB) < html.index("correct date_of_birth")


def test_a_clean_extract_leaves_no_failed_rows_file(tmp_path):
    clean, _ = two_practices(tmp_path)
    result, out = validate(tmp_path, clean)
    assert result.exit_code == 0, result.output
    assert not (out / "failed_rows.csv").exists()
    assert "failed_rows" not in json.loads((out / "results.json").read_text())
