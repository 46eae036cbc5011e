"""The audit log: a hash chain that names the entry where it breaks, safe against
crashes (a torn last line) and against two writers at once."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from pipeline.audit.log import GENESIS, append_entry, canonical, check_log, entry_hash, read_entries
from pipeline.audit.verify import verify_workspace
from pipeline.errors import AuditError
from pipeline.workspace import Workspace


@pytest.fixture
def empty(tmp_path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


def _lines(ws) -> list[dict]:
    return [json.loads(line) for line in ws.audit_path.read_text().splitlines()]


def _write(ws, entries: list[dict]) -> None:
    ws.audit_path.write_text("".join(canonical(e) + "\n" for e in entries))


def _fill(ws, n: int = 3) -> None:
    for i in range(n):
        append_entry(ws, "outcome", {"invite_ref": f"REF-{i}", "outcome": "replied"})


def test_entries_are_numbered_and_chained(empty):
    _fill(empty, 3)
    entries = _lines(empty)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev_hash"] == GENESIS
    assert [e["prev_hash"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert all(e["hash"] == entry_hash(e) for e in entries)
    assert entries[0]["operator"] and entries[0]["time"].endswith("Z")
    assert verify_workspace(empty).ok


def test_a_changed_entry_is_named_by_seq(empty):
    _fill(empty, 3)
    entries = _lines(empty)
    entries[1]["details"]["outcome"] = "recruited"
    _write(empty, entries)
    report = verify_workspace(empty)
    assert len(report.problems) == 1
    assert "entry seq 2 (line 2): its contents do not match its hash" in report.problems[0]


def test_a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(empty):
    _fill(empty, 3)
    entries = _lines(empty)
    entries[1]["details"]["outcome"] = "recruited"
    entries[1]["hash"] = entry_hash(entries[1])
    _write(empty, entries)
    mac, link = verify_workspace(empty).problems
    assert "entry seq 2 (line 2): its MAC does not match" in mac
    assert "entry seq 3 (line 3): prev_hash" in link and "the entry before it was rewritten" in link


def test_a_removed_entry_leaves_a_gap(empty):
    _fill(empty, 4)
    entries = _lines(empty)
    _write(empty, entries[:1] + entries[2:])
    problems = verify_workspace(empty).problems
    assert any("entry seq 3 (line 2): expected seq 2" in p for p in problems)


def test_a_torn_last_line_is_reported_and_nothing_is_appended_after_it(empty):
    _fill(empty, 2)
    good = empty.audit_path.stat().st_size
    with empty.audit_path.open("ab") as fh:
        fh.write(b'{"seq":3,"time":"20')
    (problem,) = verify_workspace(empty).problems
    assert problem.startswith(f"audit.log line 3 (byte {good}): torn write")
    with pytest.raises(AuditError, match=f"truncate -s {good} "):
        append_entry(empty, "outcome", {"invite_ref": "X"})
    with pytest.raises(AuditError, match="torn write"):
        check_log(empty)
    assert len(read_entries(empty.audit_path)) == 2
    with empty.audit_path.open("r+b") as fh:  # the repair the message asks for
        fh.truncate(good)
    check_log(empty)
    append_entry(empty, "outcome", {"invite_ref": "X"})
    assert verify_workspace(empty).ok


def test_details_must_be_a_known_kind(empty):
    with pytest.raises(AssertionError):
        append_entry(empty, "coffee", {})


def _writer(root: str, n: int) -> None:
    ws = Workspace(root)
    for i in range(n):
        append_entry(
            ws, "outcome", {"invite_ref": f"W{i}", "pid": multiprocessing.current_process().pid}
        )


def test_four_writers_at_once_keep_one_unbroken_chain(empty):
    procs = [
        multiprocessing.get_context("fork").Process(target=_writer, args=(str(empty.root), 25))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    entries = _lines(empty)
    assert [e["seq"] for e in entries] == list(range(1, 101))
    assert verify_workspace(empty).ok


def test_the_log_is_owner_only(empty):
    _fill(empty, 1)
    assert empty.audit_path.stat().st_mode & 0o077 == 0
