"""End to end through `cohort run` and `cohort rollback` on a tiny hand-written extract."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.workspace import Workspace

pytestmark = pytest.mark.slow

MANIFEST = """practice_code: A81001
practice_name: Ashby Road Surgery
extract_date: 2024-05-01
practice_address: ["1 High Street", "Ashby", "LE65 1AA"]
sparse_tables: [medications]  # this test practice has no prescriptions
"""
PATIENTS = """patient_id,nhs_number,title,forename,surname,date_of_birth,sex,address_line_1,address_line_2,address_line_3,address_line_4,postcode,registration_date,deregistration_date,date_of_death
p1,943 476 5919,Ms,Ann,Smith,1980-06-15,F,2 Mill Lane,Ashby,,,le65 1ab,2000-01-01,,
p2,,Mr,Seán,O'Brien,1975-01-01,M,=cmd|' /C calc'!A0,Ashby,,,LE65 1AB,2000-01-01,,
p3,,Dr,Old,Person,1940-01-01,M,3 Mill Lane,Ashby,,,LE65 1AB,2000-01-01,,
p4,,Ms,No,Postcode,1980-01-01,F,4 Mill Lane,Ashby,,,,2000-01-01,,
"""
EVENTS = "patient_id,event_date,coding_system,code,value\n" + "".join(
    f"p{i},2024-01-02,snomedct,82423001,\n" for i in range(1, 5)
)


@pytest.fixture
def extract(tmp_path) -> Path:
    folder = tmp_path / "extracts" / "A81001"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(MANIFEST)
    (folder / "patients.csv").write_text(PATIENTS)
    (folder / "events.csv").write_text(EVENTS)
    (folder / "medications.csv").write_text(
        "patient_id,issue_date,coding_system,code,issue_type,quantity\n"
    )
    return folder.parent


def cohort(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def published(ws: Path) -> list[Path]:
    return sorted(p for p in (ws / "runs").iterdir() if not p.name.startswith("."))


def merge_rows(folder: Path) -> list[dict]:
    with (folder / "mailmerge.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_cohort_run_writes_the_lists_and_rollback_withdraws_them(extract, tmp_path, no_chromium):
    ws = tmp_path / "ws"
    first = cohort("run", extract, "--workspace", ws, "--letter-date", "2024-05-03", "--new-workspace",
                   "--screening", "off", "--reason", "test of the letters")  # fmt: skip
    assert first.exit_code == 0, first.output
    (run,) = published(ws)
    rows = merge_rows(run)
    assert {r["patient_id"] for r in rows} == {"p1", "p2"}
    risky = next(r for r in rows if r["patient_id"] == "p2")
    assert risky["address_line_1"] == "'=cmd|' /C calc'!A0" and risky["forename"] == "Seán"
    assert next(r for r in rows if r["patient_id"] == "p1")["nhs_number"] == "943 476 5919"
    quarantine = (run / "quarantine.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert quarantine[1] == "A81001,p4,postcode missing"

    back = cohort("rollback", run.name, "--workspace", ws, "--reason", "letters never printed")
    assert back.exit_code == 0, back.output
    assert not (run / "mailmerge.csv").exists() and (run / "ROLLED_BACK.txt").is_file()
    with Workspace.open(ws).state() as con:
        assert con.execute("SELECT DISTINCT status FROM ledger").fetchall() == [("rolled_back",)]


def test_a_killed_cohort_run_leaves_no_ledger_entry_and_no_run_folder(extract, tmp_path):
    ws = tmp_path / "ws"
    env = {**os.environ, "PATH": "/nonexistent"}
    command = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "run",
        str(extract),
        "--workspace",
        str(ws),
        "--quiet",
        "--new-workspace",
    ]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as proc:
        deadline = time.monotonic() + 240  # a loaded CI machine is slow to start
        while not list((ws / "runs").glob(".staging-*/run.duckdb")) and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert published(ws) == []
    with Workspace.open(ws).state() as con:
        assert con.execute("SELECT count(*) FROM ledger").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,)
    Workspace.open(ws).recover()
    assert list((ws / "runs").iterdir()) == []
