"""A tiny hand-written extract (two practices, everyone with chronic pain) and
`cohort` driven in-process, for the GP screening tests."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import main

PRACTICES = {
    "A81001": ("Ashby Road Surgery", ["1 High Street", "Ashby", "LE65 1AA"]),
    "B82002": ("Bramley Health Centre", ["Town Street", "Bramley", "LS13 2XX"]),
}
# practice -> patient ids (all of working age, with a C2 chronic pain event)
PEOPLE = {"A81001": [f"a{i}" for i in range(1, 7)], "B82002": [f"b{i}" for i in range(1, 4)]}
HEADER = (
    "patient_id,nhs_number,title,forename,surname,date_of_birth,sex,address_line_1,address_line_2,"
    "address_line_3,address_line_4,postcode,registration_date,deregistration_date,date_of_death\n"
)


def _manifest(code: str) -> str:
    name, address = PRACTICES[code]
    return (
        f"practice_code: {code}\npractice_name: {name}\nextract_date: 2024-05-01\n"
        f"practice_address: {json.dumps(address)}\n"
        "sparse_tables: [medications]  # these test practices have no prescriptions\n"
    )


def write_extract(root: Path) -> Path:
    for code, people in PEOPLE.items():
        folder = root / code
        folder.mkdir(parents=True)
        (folder / "manifest.yaml").write_text(_manifest(code))
        rows = "".join(
            f"{p},,Ms,Name{p.upper()},Surname{p.upper()},1980-06-15,F,{i} Mill Lane,Ashby,,,LE65 1AB,2000-01-01,,\n"
            for i, p in enumerate(people, start=1)
        )
        (folder / "patients.csv").write_text(HEADER + rows)
        (folder / "events.csv").write_text(
            "patient_id,event_date,coding_system,code,value\n"
            + "".join(f"{p},2024-01-02,snomedct,82423001,\n" for p in people)
        )
        (folder / "medications.csv").write_text(
            "patient_id,issue_date,coding_system,code,issue_type,quantity\n"
        )
    return root


@pytest.fixture(scope="session")
def extract(tmp_path_factory) -> Path:
    return write_extract(tmp_path_factory.mktemp("screening") / "extracts")


@pytest.fixture(scope="session", autouse=True)
def no_chromium():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("pipeline.invitations.pdf.chromium", lambda: None)
        yield


@pytest.fixture(scope="session")
def base_workspace(tmp_path_factory, extract, no_chromium) -> Path:
    """A workspace with one screened run of InStep over the extract, not yet decided."""
    ws = tmp_path_factory.mktemp("base") / "ws"
    screened_run(extract, ws)
    return ws


@pytest.fixture
def ws(base_workspace, tmp_path) -> Path:
    """A private copy of the one-run workspace (tests may change it)."""
    root = tmp_path / "ws"
    shutil.copytree(base_workspace, root)
    with duckdb.connect(
        str(root / "state.duckdb")
    ) as con:  # absolute folders: point them at the copy
        con.execute(
            "UPDATE runs SET out_dir = replace(out_dir, $old, $new), stage_dir = replace(stage_dir, $old, $new)",
            {"old": str(base_workspace), "new": str(root)},
        )
    return root


@pytest.fixture
def folder(ws) -> Path:
    (only,) = runs(ws)
    return only


def cohort(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def runs(ws: Path) -> list[Path]:
    return sorted(p for p in (ws / "runs").iterdir() if not p.name.startswith("."))


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def screened_run(extract: Path, ws: Path, *more) -> Path:
    """A `cohort run` of InStep (screening required) in WS; its run folder."""
    before = set(runs(ws)) if (ws / "runs").exists() else set()
    result = cohort(
        "run", extract, "--workspace", ws, "--new-workspace", "-q", "--pdf", "never", *more
    )
    assert result.exit_code == 0, result.output
    (folder,) = set(runs(ws)) - before
    return folder


def decide(
    folder: Path, tmp: Path, decisions: dict[str, tuple[str, str, str]], default=("include", "", "")
):
    """The run's screening list with DECISIONS (patient_id -> decision, reason, reason_text) filled in."""
    rows = read_csv(folder / "screening" / "screening_list.csv")
    for row in rows:
        row["decision"], row["reason"], row["reason_text"] = decisions.get(
            row["patient_id"], default
        )
    return write_csv(tmp / f"decisions-{folder.name}.csv", rows)
