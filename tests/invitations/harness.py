"""The invitation steps of a run, in the orchestrator's order, on the real study engine.

Until `cohort run` can be driven from tests without codelists and synthetic
extracts, this runs what pipeline/stages.py runs around the invitations: copy
the ledger into the run database, apply the InStep study (pipeline.study),
select, write the files into a staging folder, commit, publish. Every patient
gets a C2 'chronic pain' event, so the study invites everyone not excluded.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.invitations import commit_invitations, ledger_refs, select_invitations, write_outputs
from pipeline.paths import DEFAULT_STUDY
from pipeline.study.execute import run_study
from pipeline.study.model import build_study
from pipeline.workspace import Workspace, now, publish_dir

from .builders import INDEX, RunDB
from .conftest import LETTER_DATE, REPLY_BY

STUDY = build_study(yaml.safe_load(DEFAULT_STUDY.read_text()), source=str(DEFAULT_STUDY))
C2 = ("snomedct", "82423001", "Chronic pain")


@dataclass
class Run:
    ws: Workspace
    run_id: str
    stage_dir: Path
    out_dir: Path


def start(ws_root: Path, run_id: str) -> Run:
    ws = Workspace.open(ws_root)
    out = ws.runs_dir / run_id
    return Run(ws, run_id, ws.stage_dir_for(out, run_id), out)


def study_inputs(con, world: RunDB) -> None:
    """The study's inputs beyond the extract: a C2 event each, and one code per codelist role."""
    con.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, NULL)",
        [
            (p.practice_code, p.patient_id, INDEX - dt.timedelta(days=30), C2[0], C2[1])
            for p in world.patients
        ],
    )
    con.execute(
        "CREATE TABLE codelist_codes (codelist VARCHAR, version VARCHAR, coding_system VARCHAR, code VARCHAR, "
        "term VARCHAR, category VARCHAR)"
    )
    codes = [
        (
            role,
            version,
            "snomedct",
            f"99{i:07d}",
            role,
            "employed" if role == "employment_status" else None,
        )
        for i, (role, _, version) in enumerate(STUDY.codelist_refs())
    ]
    codes.append(("chronic_pain_diagnosis", "1", *C2, None))
    con.executemany("INSERT INTO codelist_codes VALUES (?, ?, ?, ?, ?, ?)", codes)


def stage(run: Run, world: RunDB, *, limit: int | None = None) -> int:
    """Everything up to and including the files in the staging folder; the run database is closed."""
    run.stage_dir.mkdir(mode=0o700)
    con = world.extract(run.stage_dir / "run.duckdb")
    try:
        study_inputs(con, world)
        run.ws.copy_into_run(con, study=STUDY.name)
        run_study(con, STUDY)
        with run.ws.state(read_only=True) as state:
            refs = ledger_refs(state)
        count = select_invitations(
            con,
            run_id=run.run_id,
            study_name=STUDY.name,
            existing_refs=refs,
            max_per_practice=limit,
            seed=0,
        )
        write_outputs(con, run.stage_dir, study=STUDY, letter_date=LETTER_DATE, reply_by=REPLY_BY)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return count


def commit(run: Run) -> None:
    with run.ws.state() as state:
        commit_invitations(
            state, run_db=run.stage_dir / "run.duckdb", run_id=run.run_id, study_name=STUDY.name,
            started_at=now(), stage_dir=run.stage_dir, out_dir=run.out_dir,
        )  # fmt: skip


def publish(run: Run) -> None:
    with run.ws.state() as state:
        publish_dir(run.stage_dir, run.out_dir)
        state.execute("UPDATE runs SET status = 'published' WHERE run_id = $r", {"r": run.run_id})


def full_run(ws_root: Path, run_id: str, world: RunDB, *, limit: int | None = None) -> Run:
    """A whole run as the orchestrator does it: on any failure the staging folder goes."""
    run = start(ws_root, run_id)
    with run.ws.lock("run"):
        run.ws.recover()
        try:
            stage(run, world, limit=limit)
            commit(run)
        except BaseException:
            shutil.rmtree(run.stage_dir, ignore_errors=True)
            raise
        publish(run)
    return run


def ledger(ws_root: Path) -> list[tuple]:
    with Workspace.open(ws_root).state() as state:
        return state.execute(
            "SELECT run_id, practice_code, patient_id, status FROM ledger ORDER BY run_id, practice_code, patient_id"
        ).fetchall()


def invited_in(run: Run) -> set[str]:
    import duckdb

    with duckdb.connect(str(run.out_dir / "run.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT patient_id FROM invitations").fetchall()}
