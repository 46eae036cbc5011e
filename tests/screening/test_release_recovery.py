"""A release is atomic: a crash before its commit leaves no letters and no ledger change;
a crash after it is finished by the next command."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import journal
from pipeline.audit.log import read_entries
from pipeline.screening import release as release_module
from pipeline.workspace import Workspace

from .conftest import cohort, decide, read_csv


class Crash(Exception):
    """The process dies here."""


def statuses(ws) -> set[str]:
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT DISTINCT status FROM ledger").fetchall()}


def test_a_crash_before_the_commit_leaves_nothing_and_the_release_can_run_again(
    ws, folder, tmp_path, monkeypatch
):
    decisions = decide(folder, tmp_path, {"a1": ("exclude", "safeguarding", "")})
    assert cohort("screen", "import", decisions, "--workspace", ws).exit_code == 0

    def crash(*_args, **_kw):
        raise Crash

    with monkeypatch.context() as mp:
        mp.setattr(release_module, "_commit", crash)
        with pytest.raises(Crash):
            release_module.release_run(
                Workspace.open(ws),
                run_id=folder.name,
                operator="t",
            )
    assert not (folder / "mailmerge.csv").exists() and statuses(ws) == {"awaiting_screening"}
    released = cohort("release", folder.name, "--workspace", ws, "--pdf", "never")
    assert released.exit_code == 0, released.output
    assert not (folder / release_module.STAGE).exists()
    assert len(read_csv(folder / "mailmerge.csv")) == 8


def test_a_crash_after_the_commit_is_finished_and_logged_by_the_next_command(
    ws, folder, tmp_path, monkeypatch
):
    decisions = decide(folder, tmp_path, {"b2": ("exclude", "in_work", "")})
    assert cohort("screen", "import", decisions, "--workspace", ws).exit_code == 0

    def crash(point):
        if point == "after_commit":
            raise Crash

    with monkeypatch.context() as mp:
        mp.setattr(journal, "fault", crash)
        with pytest.raises(Crash):
            release_module.release_run(
                Workspace.open(ws),
                run_id=folder.name,
                operator="t",
            )
    assert not (folder / "mailmerge.csv").exists() and "active" in statuses(ws)
    again = cohort("release", folder.name, "--workspace", ws)
    assert again.exit_code == 7 and "already released" in again.output
    assert (
        len(read_csv(folder / "mailmerge.csv")) == 8
        and not (folder / release_module.STAGE).exists()
    )
    (entry,) = [e for e in read_entries(ws / "audit.log") if e["kind"] == "release"]
    assert "mailmerge.csv" in entry["details"]["outputs"] and entry["details"]["included"] == 8
    assert not list((ws / "journal").glob("*.json"))
