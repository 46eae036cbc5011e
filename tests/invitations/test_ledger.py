"""The ledger across runs: never invite twice, rollback, and runs that stop halfway."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import WorkspaceError
from pipeline.invitations import render_jobs
from pipeline.workspace import Workspace

from . import harness
from .builders import RunDB

pytestmark = pytest.mark.usefixtures("no_chromium")
TESTS = Path(__file__).resolve().parents[1]


def world(n: int = 4) -> RunDB:
    r = RunDB()
    for i in range(n):
        r.add("A81001", f"a{i}")
    r.add("B82002", "b1")
    return r


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def state(ws: Path, sql: str) -> list[tuple]:
    with Workspace.open(ws).state() as con:
        return con.execute(sql).fetchall()


def rollback(ws: Path, run_id: str, reason: str = "printer jammed; letters shredded"):
    return CliRunner().invoke(
        main, ["rollback", run_id, "--workspace", str(ws), "--reason", reason]
    )


def test_a_committed_run_is_in_the_ledger_runs_and_deferred(tmp_path):
    run = harness.full_run(tmp_path / "ws", "run1", world(), limit=3)
    merge = rows(run.out_dir / "mailmerge.csv")
    ledger = state(
        tmp_path / "ws",
        "SELECT invite_ref, practice_code, patient_id, nhs_number, status FROM ledger",
    )
    assert {(r["invite_ref"], r["patient_id"]) for r in merge} == {(r[0], r[2]) for r in ledger}
    assert {r[4] for r in ledger} == {"active"}
    assert state(tmp_path / "ws", "SELECT run_id, status, invitations, out_dir FROM runs") == [
        ("run1", "published", 4, str(run.out_dir))
    ]
    deferred = state(tmp_path / "ws", "SELECT run_id, practice_code, reason FROM deferred")
    assert deferred == [
        (
            "run1",
            "A81001",
            "ranked 4 of 4 at the practice, over its capacity of 3 invitations per run",
        )
    ]
    assert len(rows(run.out_dir / "deferred.csv")) == 1
    second = harness.full_run(tmp_path / "ws", "run2", world(), limit=3)
    assert harness.invited_in(second) == {"a0", "a1", "a2", "a3"} - harness.invited_in(run)


def test_a_second_run_on_the_same_data_invites_nobody_already_invited(tmp_path):
    first = harness.full_run(tmp_path / "ws", "run1", world())
    again = world()
    again.add(
        "B82002", "moved-here", nhs_number=again.patients[0].nhs_number
    )  # a0, registered anew
    second = harness.full_run(tmp_path / "ws", "run2", again)
    assert harness.invited_in(first) == {"a0", "a1", "a2", "a3", "b1"}
    assert harness.invited_in(second) == set()
    assert rows(second.out_dir / "mailmerge.csv") == []
    with duckdb.connect(str(second.out_dir / "run.duckdb"), read_only=True) as con:
        stopped = con.execute("SELECT DISTINCT stopped_by FROM population").fetchall()
    assert stopped == [("already_invited",)]


def test_rollback_makes_the_run_s_patients_invitable_again(tmp_path):
    first = harness.full_run(tmp_path / "ws", "run1", world())
    old_refs = {r["invite_ref"] for r in rows(first.out_dir / "mailmerge.csv")}
    result = rollback(tmp_path / "ws", "run1")
    assert result.exit_code == 0, result.output
    assert "Run run1 rolled back: 5 invitation(s) at 2 practice(s) withdrawn" in result.output
    assert state(tmp_path / "ws", "SELECT DISTINCT status FROM ledger") == [("rolled_back",)]
    assert state(tmp_path / "ws", "SELECT status, rollback_reason FROM runs") == [
        ("rolled_back", "printer jammed; letters shredded")
    ]
    second = harness.full_run(tmp_path / "ws", "run2", world())
    assert harness.invited_in(second) == {"a0", "a1", "a2", "a3", "b1"}
    assert not old_refs & {r["invite_ref"] for r in rows(second.out_dir / "mailmerge.csv")}


def test_rollback_removes_what_could_be_posted_and_says_so(tmp_path):
    run = harness.full_run(tmp_path / "ws", "run1", world())
    nhs = world().patients[0].nhs_number
    assert rollback(tmp_path / "ws", "run1").exit_code == 0
    left = {p.relative_to(run.out_dir).as_posix() for p in run.out_dir.rglob("*") if p.is_file()}
    assert not {"mailmerge.csv", "nurse_list.csv", "practices/A81001/letters.html"} & left
    assert {"quarantine.csv", "deferred.csv", "run.duckdb", "ROLLED_BACK.txt"} <= left
    note = (run.out_dir / "ROLLED_BACK.txt").read_text()
    assert "printer jammed" in note and "5 invitations were withdrawn" in note
    audit = (tmp_path / "ws" / "audit.log").read_text()
    assert '"kind":"rollback"' in audit and "practices/B82002/letters.html" in audit
    assert nhs not in audit and '"a0"' not in audit


def test_rollback_is_refused_once_a_letter_has_an_outcome(tmp_path):
    run = harness.full_run(tmp_path / "ws", "run1", world())
    ref = rows(run.out_dir / "mailmerge.csv")[0]["invite_ref"]
    with Workspace.open(tmp_path / "ws").state() as con:
        con.execute("INSERT INTO outcomes VALUES (?, 'replied', NULL, now(), 'nurse', NULL)", [ref])
    result = rollback(tmp_path / "ws", "run1")
    assert result.exit_code == WorkspaceError.exit_code
    assert (
        "1 of its invitations already have an outcome recorded, so its letters were sent"
        in result.output
    )
    assert state(tmp_path / "ws", "SELECT DISTINCT status FROM ledger") == [("active",)]
    assert (run.out_dir / "mailmerge.csv").is_file()


def test_rollback_of_an_unknown_or_rolled_back_run_says_so(tmp_path):
    harness.full_run(tmp_path / "ws", "run1", world(1))
    assert rollback(tmp_path / "ws", "run1").exit_code == 0
    for run_id, says in (
        ("run1", "run run1 was already rolled back at"),
        ("nope", "no run nope in this"),
    ):
        result = rollback(tmp_path / "ws", run_id)
        assert result.exit_code == WorkspaceError.exit_code
        assert says in result.output


def test_rollback_needs_a_reason(tmp_path):
    Workspace.open(tmp_path / "ws")
    result = rollback(tmp_path / "ws", "run1", reason="  ")
    assert result.exit_code == 2 and "--reason is empty; say why" in result.output
    assert "Missing option '--reason'" in CliRunner().invoke(main, ["rollback", "run1"]).output


def test_commit_refuses_a_run_that_would_invite_someone_twice(tmp_path):
    late, early = harness.start(tmp_path / "ws", "late"), harness.start(tmp_path / "ws", "early")
    harness.stage(late, world())
    harness.stage(early, world(2))
    harness.commit(early)
    with pytest.raises(WorkspaceError, match="3 of its invitees are already invited to instep"):
        harness.commit(late)
    assert state(tmp_path / "ws", "SELECT DISTINCT run_id FROM ledger") == [("early",)]
    assert state(tmp_path / "ws", "SELECT run_id FROM runs") == [("early",)]


def test_a_commit_that_fails_halfway_leaves_nothing_in_the_workspace(tmp_path):
    run = harness.start(tmp_path / "ws", "run1")
    harness.stage(run, world(), limit=2)
    with duckdb.connect(str(run.stage_dir / "run.duckdb")) as con:  # the deferred insert will fail
        con.execute("UPDATE deferred SET patient_id = NULL")
    with pytest.raises(duckdb.ConstraintException):
        harness.commit(run)
    for table in ("ledger", "runs", "deferred"):
        assert state(tmp_path / "ws", f"SELECT count(*) FROM {table}") == [(0,)]


def test_a_failure_while_writing_leaves_no_ledger_entry_and_no_run_folder(tmp_path, monkeypatch):
    calls = []
    real = render_jobs.write_csv

    def fail_on_fifth(path, *args):
        calls.append(path)
        if len(calls) == 5:
            raise OSError("disk full")
        return real(path, *args)

    monkeypatch.setattr(render_jobs, "write_csv", fail_on_fifth)
    with pytest.raises(OSError, match="disk full"):
        harness.full_run(tmp_path / "ws", "run1", world())
    assert len(calls) == 5 and calls[0].parent.name.startswith(".staging-")
    assert state(tmp_path / "ws", "SELECT count(*) FROM ledger") == [(0,)]
    assert list((tmp_path / "ws" / "runs").iterdir()) == []


KILLED = """
import sys, time
sys.path.insert(0, {tests!r})
from invitations import harness
from invitations.builders import RunDB
world = RunDB()
for i in range(4):
    world.add("A81001", f"a{{i}}")
run = harness.start({ws!r}, "killed")
with run.ws.lock("run"):
    harness.stage(run, world)
    if {commit!r}:
        harness.commit(run)
    print("ready", flush=True)
    time.sleep(60)
"""


def kill_run(ws: Path, *, after_commit: bool) -> None:
    code = textwrap.dedent(KILLED.format(tests=str(TESTS), ws=str(ws), commit=after_commit))
    env = {**os.environ, "PATH": "/nonexistent"}
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_a_run_killed_before_its_commit_leaves_nothing_and_is_cleaned_up(tmp_path):
    ws = tmp_path / "ws"
    kill_run(ws, after_commit=False)
    assert state(ws, "SELECT count(*) FROM ledger") == [(0,)]
    assert [p.name for p in (ws / "runs").iterdir()] == [".staging-killed-killed"]
    assert Workspace.open(ws).recover() == []
    assert list((ws / "runs").iterdir()) == []
    again = harness.full_run(ws, "again", world())
    assert harness.invited_in(again) == {"a0", "a1", "a2", "a3", "b1"}


def test_a_run_killed_after_its_commit_is_published_by_recover(tmp_path):
    ws = tmp_path / "ws"
    kill_run(ws, after_commit=True)
    assert state(ws, "SELECT status FROM runs") == [("committed",)]
    assert not (ws / "runs" / "killed").exists()
    assert [r[0] for r in Workspace.open(ws).recover()] == ["killed"]
    assert len(rows(ws / "runs" / "killed" / "mailmerge.csv")) == 4
    assert state(ws, "SELECT status FROM runs") == [("published",)]
