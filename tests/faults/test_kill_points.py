"""`cohort run` killed (as by kill -9 or a power cut) at every stage boundary and at each
step of the commit point: the next command repairs the workspace, `audit verify` is clean,
and in the end every eligible person has exactly one invitation, with its letter.

The kill is a test-only fault point: COHORT_FAULT=NAME makes the process os._exit there
(pipeline/journal.py `fault`; the stage boundaries are `after_STAGE` in pipeline/run.py).
"""

from __future__ import annotations

import pytest

from pipeline import stages
from pipeline.audit.log import read_entries

from .world import (
    ELIGIBLE,
    OFF,
    assert_each_invited_once_with_a_letter,
    cohort,
    killed,
    ledger,
    verify,
    write_extract,
)

pytestmark = pytest.mark.slow

BEFORE_COMMIT = [f"after_{name}" for name in stages.RUN if name != "commit"]
BEFORE_COMMIT.append("before_commit")


def _killed_run(tmp_path, point):
    extracts, ws = write_extract(tmp_path), tmp_path / "ws"
    status = killed("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "-q", fault=point)
    assert status == 86, f"the run was not killed at {point} (exit {status})"
    return extracts, ws


def _repaired(tmp_path, ws) -> None:
    checked = verify(ws)
    assert checked.exit_code == 0, checked.output
    assert not list(tmp_path.rglob(".staging-*")), "a staging folder was left behind"
    assert not list((ws / "journal").glob("*.json")), "the commit journal was not emptied"


@pytest.mark.parametrize("point", BEFORE_COMMIT)
def test_a_run_killed_before_its_commit_leaves_nothing_the_next_command_cannot_clean(
    tmp_path, point
):
    _extracts, ws = _killed_run(tmp_path, point)
    assert ledger(ws) == []
    _repaired(tmp_path, ws)  # `audit verify` as the next command cleans up, then verifies
    assert ledger(ws) == []
    assert not list(tmp_path.rglob("mailmerge.csv")), "a mailable file outlived the killed run"


@pytest.mark.parametrize("point", ["after_commit", "after_publish", "after_audit"])
def test_a_run_killed_after_its_commit_is_finished_by_the_next_run_never_lost_or_doubled(
    tmp_path, point
):
    extracts, ws = _killed_run(tmp_path, point)
    assert {pid for pid, *_ in ledger(ws)} == ELIGIBLE
    again = cohort("run", *OFF, extracts, "--workspace", ws, "-q")  # repairs first, then runs
    assert again.exit_code == 0, again.output
    _repaired(tmp_path, ws)
    assert_each_invited_once_with_a_letter(tmp_path, ws)
    runs = [e for e in read_entries(ws / "audit.log") if e["kind"] == "run"]
    assert [e["details"]["invited"] for e in runs] == [2, 0], "the killed run was not logged once"


def test_verify_as_the_first_command_after_a_crash_finishes_the_run(tmp_path):
    _extracts, ws = _killed_run(tmp_path, "after_commit")
    _repaired(tmp_path, ws)
    assert_each_invited_once_with_a_letter(tmp_path, ws)


def test_rollback_as_the_first_command_after_a_crash_repairs_first(tmp_path):
    _extracts, ws = _killed_run(tmp_path, "after_publish")
    run_id = ledger(ws)[0][1]
    rolled = cohort("rollback", run_id, "--workspace", ws, "--reason", "printer jammed")
    assert rolled.exit_code == 0, rolled.output
    assert verify(ws).exit_code == 0
    assert {status for *_, status in ledger(ws)} == {"rolled_back"}
    assert not list(tmp_path.rglob("mailmerge.csv"))
