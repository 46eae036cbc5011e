"""A third study, written only as a YAML file (tests/study/studies/third.yaml), runs end
to end through `cohort run` with the shipped codelists: no code knows of it. It uses
sex, a value threshold, an 'unless a later record' with categories, a latest-record
exclusion and a score; its letters, attrition and `cohort explain` follow its tree."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

from .extracts import write_practice

STUDY = Path(__file__).parent / "studies" / "third.yaml"
D = dt.date(2024, 6, 30)
HBA1C, NOT_FIT, EMPLOYED, UNEMPLOYED = "42W5.", "751481000000104", "224363007", "73438004"


def ago(n: int) -> dt.date:
    return D - dt.timedelta(days=n)


def man(patient_id: str, **more) -> dict:
    return {"patient_id": patient_id, "sex": "M", "date_of_birth": "1980-01-01", **more}


@pytest.fixture
def extract(tmp_path) -> Path:
    notes = lambda p: [(p, ago(200), "snomedct", NOT_FIT), (p, ago(100), "snomedct", NOT_FIT)]  # noqa: E731
    write_practice(
        tmp_path / "extracts" / "A00001",
        practice_code="A00001",
        extract_date=D,
        patients=[
            man("yes"),
            man("woman", sex="F"),
            man("old", date_of_birth="1950-01-01"),
            man("low"),
            man("back_at_work"),
            man("one_note"),
            man("retired_now"),
        ],  # fmt: skip
        events=[
            ("yes", ago(300), "readv2", HBA1C, 52),
            *notes("yes"),
            ("woman", ago(300), "readv2", HBA1C, 60),
            *notes("woman"),
            ("old", ago(300), "readv2", HBA1C, 60),
            *notes("old"),
            ("low", ago(300), "readv2", HBA1C, 47.9),
            *notes("low"),
            ("back_at_work", ago(300), "readv2", HBA1C, 60),
            *notes("back_at_work"),
            ("back_at_work", ago(100), "snomedct", EMPLOYED),
            ("one_note", ago(300), "readv2", HBA1C, 60),
            ("one_note", ago(100), "snomedct", NOT_FIT),
            ("retired_now", ago(300), "readv2", HBA1C, 60),
            *notes("retired_now"),
            ("retired_now", ago(10), "snomedct", "105493001"),
        ],  # fmt: skip
        medications=[(p, ago(30), "dmd", "321745007") for p in PATIENTS],
    )
    return tmp_path / "extracts"


PATIENTS = ("yes", "woman", "old", "low", "back_at_work", "one_note", "retired_now")


def cohort(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_a_study_written_only_as_yaml_runs_end_to_end(extract, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no Chromium: letters as HTML
    ws = tmp_path / "ws"
    result = cohort(
        "run",
        extract,
        "--study",
        STUDY,
        "--workspace",
        ws,
        "--pdf",
        "never",
        "--quiet",
        "--new-workspace",
    )
    assert result.exit_code == 0, result.output
    (run,) = [p for p in (ws / "runs").iterdir() if not p.name.startswith(".")]
    with (run / "mailmerge.csv").open(encoding="utf-8-sig") as fh:
        assert {r["patient_id"] for r in csv.DictReader(fh)} == {"yes"}
    record = json.loads((run / "run_record.json").read_text())
    steps = {a["step"]: a["removed"] for a in record["attrition"] if a["practice_code"] == "ALL"}
    assert steps["not_a_man"] == 1 and steps["age"] == 1 and steps["no_raised_hba1c"] == 1
    assert steps["not_off_work"] == 2 and steps["in_work"] == 1
    text = cohort(
        "explain", "--workspace", ws, "--practice", "A00001", "--patient-id", "back_at_work"
    ).output
    assert "'Two not-fit notes 30 days apart in a year, no return to work since'" in text
    assert "followed by employment_status v2 on 2024-03-22" in text
    said = cohort(
        "explain", "--workspace", ws, "--practice", "A00001", "--patient-id", "low"
    ).output
    assert "the deciding hba1c value is 47.9 (on 2023-09-04); the study needs >= 48" in said


def test_the_third_study_compiles_to_its_own_sql():
    result = cohort("sql", "--study", STUDY)
    assert result.exit_code == 0, result.output
    assert (
        '"off_work__matched"' in result.output and "$raised_hba1c_threshold = 48" in result.output
    )
