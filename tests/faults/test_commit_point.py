"""The commit point when the world moves under it: --out changed during the run, two
workspaces publishing to one --out, a copied workspace, concurrent runs, staging beside
--out, and the state-only commands (outcome, do-not-contact, rollback) killed between
their commit and their audit entry. Each: no lost or doubled invitation, verify clean."""

from __future__ import annotations

import shutil
import threading

import pytest

from pipeline import journal
from pipeline.audit.log import read_entries

from .world import (
    OFF,
    assert_each_invited_once_with_a_letter,
    cohort,
    cohort_process,
    killed,
    ledger,
    mailable,
    verify,
    when,
    write_extract,
)

pytestmark = pytest.mark.slow


def _one_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) >= 1 and lines[-1].startswith("cohort: "), result.output
    return lines[-1]


def test_out_gaining_a_file_during_the_run_withdraws_it_and_the_next_run_invites(
    tmp_path, monkeypatch
):
    extracts, ws, out = write_extract(tmp_path), tmp_path / "ws", tmp_path / "letters"
    monkeypatch.setattr(journal, "fault", when("before_commit", lambda: (out.mkdir(),
                        (out / "notes.txt").write_text("mine"))))  # fmt: skip
    result = cohort("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "--out", out, "-q")
    assert result.exit_code == 7
    line = _one_line(result)
    assert f"--out {out.resolve()} gained files while the run was working (e.g. notes.txt)" in line
    assert (
        "the run's 2 invitation(s) were withdrawn (logged): run again with a new or empty --out"
        in line
    )
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert {status for *_, status in ledger(ws)} == {"rolled_back"}
    assert not list(tmp_path.rglob(".staging-*")) and mailable(tmp_path) == {}
    monkeypatch.undo()
    assert verify(ws).exit_code == 0, verify(ws).output
    assert cohort("run", *OFF, extracts, "--workspace", ws, "-q").exit_code == 0
    assert_each_invited_once_with_a_letter(tmp_path, ws)


def test_two_workspaces_given_one_out_publish_once_and_lose_nobody(tmp_path, monkeypatch):
    extracts, out = write_extract(tmp_path), tmp_path / "shared-out"
    first, second = tmp_path / "ws1", tmp_path / "ws2"

    def other_workspace_publishes_first():
        monkeypatch.setattr(journal, "fault", real)
        done = cohort(
            "run", *OFF, extracts, "--workspace", first, "--new-workspace", "--out", out, "-q"
        )
        assert done.exit_code == 0, done.output

    real = journal.fault
    monkeypatch.setattr(journal, "fault", when("before_commit", other_workspace_publishes_first))
    result = cohort(
        "run", *OFF, extracts, "--workspace", second, "--new-workspace", "--out", out, "-q"
    )
    assert result.exit_code == 7 and "gained files while the run was working" in _one_line(result)
    assert [s for *_, s in ledger(first)] == ["active", "active"]
    assert [s for *_, s in ledger(second)] == ["rolled_back", "rolled_back"]
    assert verify(first).exit_code == 0 and verify(second).exit_code == 0
    assert not list(tmp_path.rglob(".staging-*"))


def test_staging_beside_out_is_cleaned_by_the_next_command(tmp_path):
    extracts, ws, out = write_extract(tmp_path), tmp_path / "ws", tmp_path / "elsewhere" / "run"
    status = killed("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "--out", out, "-q",
                    fault="after_outputs")  # fmt: skip
    assert status == 86
    (staging,) = (tmp_path / "elsewhere").glob(".staging-*")
    assert list(staging.rglob("mailmerge.csv")), "the killed run had written its lists"
    assert cohort("dnc", "list", "--workspace", ws).exit_code == 0  # any command
    assert not staging.exists()
    assert verify(ws).exit_code == 0


def test_rollback_in_a_copied_workspace_never_touches_the_originals_letters(tmp_path):
    extracts, ws, outside = write_extract(tmp_path), tmp_path / "ws", tmp_path / "outside"
    assert cohort("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "-q").exit_code == 0
    assert cohort("rollback", ledger(ws)[0][1], "--workspace", ws, "--reason", "x").exit_code == 0
    assert cohort("run", *OFF, extracts, "--workspace", ws, "--out", outside, "-q").exit_code == 0
    copy = tmp_path / "copy"
    shutil.copytree(ws, copy)
    inside_run = [r for _, r, s in ledger(ws) if s == "rolled_back"][0]
    outside_run = [r for _, r, s in ledger(ws) if s == "active"][0]
    assert (outside / "mailmerge.csv").exists()
    refused = cohort("rollback", outside_run, "--workspace", copy, "--reason", "copy")
    assert refused.exit_code == 7
    assert "is outside this workspace, which was copied or moved from" in _one_line(refused)
    assert (outside / "mailmerge.csv").exists(), "the copy removed the original's letters"
    assert verify(copy).exit_code == 0 and verify(ws).exit_code == 0
    assert inside_run != outside_run


def test_a_run_in_a_missing_workspace_is_refused_unless_asked(tmp_path):
    extracts = write_extract(tmp_path)
    refused = cohort("run", *OFF, extracts, "--workspace", tmp_path / "typo", "-q")
    assert refused.exit_code == 7 and "no workspace here" in _one_line(refused)
    assert "--new-workspace" in _one_line(refused) and not (tmp_path / "typo").exists()
    made = cohort("run", *OFF, extracts, "--workspace", tmp_path / "ws", "--new-workspace")
    assert "0 earlier invitation(s) from 0 run(s)." in made.output
    again = cohort("run", *OFF, extracts, "--workspace", tmp_path / "ws")
    assert "2 earlier invitation(s) from 1 run(s)." in again.output


def test_concurrent_runs_on_one_workspace_invite_each_person_once(tmp_path):
    extracts, ws = write_extract(tmp_path), tmp_path / "ws"
    assert cohort("dnc", "add", "--workspace", ws, "--practice", "A81001", "--patient-id", "p3",
                  "--reason", "asked").exit_code in (0, 7)  # fmt: skip
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                cohort_process("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "-q")
            )
        )  # fmt: skip
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.returncode for r in results).count(0) >= 1
    for r in results:
        if r.returncode:
            assert r.returncode == 7 and "is in use by another cohort command" in r.stderr
            assert len(r.stderr.strip().splitlines()) <= 2, (
                r.stderr
            )  # the workspace line + the error
    assert_each_invited_once_with_a_letter(tmp_path, ws)
    assert verify(ws).exit_code == 0


@pytest.fixture
def with_a_run(tmp_path):
    extracts, ws = write_extract(tmp_path), tmp_path / "ws"
    assert cohort("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "-q").exit_code == 0
    refs = {pid: r for pid, r in _refs(ws)}
    return ws, refs


def _refs(ws):
    import duckdb

    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return con.execute("SELECT patient_id, invite_ref FROM ledger").fetchall()


@pytest.mark.parametrize(
    "command",
    [
        (
            "outcome",
            "record",
            "--invite-ref",
            "{p1}",
            "--outcome",
            "complaint",
            "--reason",
            "in_work",
        ),
        ("dnc", "add", "--practice", "A81001", "--patient-id", "p3", "--reason", "phoned"),
        ("rollback", "{run}", "--reason", "printer jammed"),
    ],
    ids=["outcome", "dnc-add", "rollback"],
)
def test_a_state_change_killed_before_its_audit_entry_is_logged_by_the_next_command(
    with_a_run, command
):
    ws, refs = with_a_run
    run_id = ledger(ws)[0][1]
    args = [a.format(p1=refs["p1"], run=run_id) for a in command]
    before = len(read_entries(ws / "audit.log"))
    assert killed(*args, "--workspace", ws, fault="after_change_commit") == 86
    assert len(read_entries(ws / "audit.log")) == before, "the entry was written before the kill"
    result = verify(ws)  # repairs, then verifies
    assert result.exit_code == 0, result.output
    kinds = [e["kind"] for e in read_entries(ws / "audit.log")[before:]]
    assert kinds == {"outcome": ["outcome", "dnc_add"], "dnc": ["dnc_add"],
                     "rollback": ["rollback"]}[command[0]]  # fmt: skip
    assert verify(ws).exit_code == 0
