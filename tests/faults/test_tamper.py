"""Tampering that needs the workspace key to hide: `cohort audit verify` catches a log
rewritten with a recomputed chain, entries cut off the end, and ledger, do-not-contact
and outcome rows deleted from state.duckdb; a log from before entries were keyed still
verifies. A read-only workspace can still be verified, explained and listed."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil

import duckdb
import pytest

from pipeline.audit.log import FIELDS, canonical

from .world import OFF, cohort, ledger, read_only, write_extract


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A workspace with one run, a complaint (so a do-not-contact entry) and a reply."""
    root = tmp_path_factory.mktemp("tamper")
    extracts, ws = write_extract(root), root / "ws"
    assert cohort("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "-q").exit_code == 0
    refs = {pid: ref for pid, ref in _refs(ws)}
    for pid, outcome, reason in (
        ("p1", "complaint", ["--reason", "in_work"]),
        ("p2", "replied", []),
    ):
        done = cohort("outcome", "record", "--workspace", ws, "--invite-ref", refs[pid],
                      "--outcome", outcome, *reason)  # fmt: skip
        assert done.exit_code == 0, done.output
    return ws


def _refs(ws):
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return con.execute("SELECT patient_id, invite_ref FROM ledger").fetchall()


@pytest.fixture
def ws(base, tmp_path):
    copy = tmp_path / "ws"
    shutil.copytree(base, copy)
    return copy


def verify(ws):
    return cohort("audit", "verify", "--workspace", ws)


def lines(ws) -> list[dict]:
    return [json.loads(line) for line in (ws / "audit.log").read_text().splitlines()]


def write(ws, entries) -> None:
    (ws / "audit.log").write_text("".join(canonical(e) + "\n" for e in entries))


def sql(ws, statement: str) -> None:
    with duckdb.connect(str(ws / "state.duckdb")) as con:
        con.execute(statement)


def rechain(entries: list[dict], *, keep_mac: bool = True) -> list[dict]:
    """What an attacker without the key can do: recompute every plain SHA-256 link."""
    prev = "0" * 64
    for entry in entries:
        entry["prev_hash"] = prev
        body = canonical({k: entry.get(k) for k in FIELDS})
        entry["hash"] = prev = hashlib.sha256(body.encode()).hexdigest()
        if not keep_mac:
            entry.pop("mac", None)
    return entries


def test_an_untouched_workspace_verifies(ws):
    result = verify(ws)
    assert result.exit_code == 0, result.output


def test_a_rewritten_entry_with_a_recomputed_chain_is_caught_by_its_mac(ws):
    entries = lines(ws)
    outcome = next(e for e in entries if e["kind"] == "outcome")
    outcome["details"]["outcome"] = "recruited"
    write(ws, rechain(entries))
    result = verify(ws)
    assert result.exit_code == 8
    assert "its MAC does not match" in result.output


def test_stripping_every_mac_and_the_head_is_caught(ws):
    entries = rechain(lines(ws), keep_mac=False)
    entries[-1]["details"]["outcome"] = "recruited"
    write(ws, rechain(entries, keep_mac=False))
    (ws / "audit.head").unlink()
    result = verify(ws)
    assert result.exit_code == 8
    assert "says audit.log reached entry seq" in result.output or "outcomes:" in result.output


def test_entries_cut_off_the_end_are_caught(ws):
    write(ws, lines(ws)[:-2])
    result = verify(ws)
    assert result.exit_code == 8
    assert "audit.head says audit.log reached entry seq" in result.output
    assert "entries were cut from the end of the log" in result.output


def test_entries_cut_off_the_end_with_the_head_removed_are_caught_by_the_state(ws):
    write(ws, lines(ws)[:1])
    (ws / "audit.head").unlink()
    result = verify(ws)
    assert result.exit_code == 8
    assert "outcomes:" in result.output and "no dnc_add entry" in result.output


def test_a_deleted_ledger_row_is_caught(ws):
    sql(ws, "DELETE FROM ledger WHERE patient_id = 'p2'")
    result = verify(ws)
    assert result.exit_code == 8
    assert "has 1 invitation row(s) but audit.log says it made 2" in result.output


def test_a_changed_ledger_status_is_caught(ws):
    sql(ws, "UPDATE ledger SET status = 'rolled_back' WHERE patient_id = 'p2'")
    assert "marked rolled back but audit.log's rollback entries say 0" in verify(ws).output


def test_a_deleted_do_not_contact_entry_is_caught(ws):
    sql(ws, "DELETE FROM do_not_contact")
    result = verify(ws)
    assert result.exit_code == 8
    assert "that audit.log added" in result.output and "are missing" in result.output
    assert "943" not in result.output  # people by pseudonym only


def test_a_switched_off_do_not_contact_entry_is_caught(ws):
    sql(ws, "UPDATE do_not_contact SET removed_at = now()::TIMESTAMP")
    assert "marked removed but audit.log's dnc_remove entries removed 0" in verify(ws).output


def test_a_deleted_outcome_is_caught(ws):
    sql(ws, "DELETE FROM outcomes WHERE outcome = 'replied'")
    assert "recorded in audit.log are missing from state.duckdb" in verify(ws).output


def test_a_log_from_before_entries_were_keyed_still_verifies(ws):
    write(ws, rechain(lines(ws), keep_mac=False))
    (ws / "audit.head").unlink()
    result = verify(ws)
    assert result.exit_code == 0, result.output
    assert "from before entries were keyed: checked by the hash chain only" in result.output
    appended = cohort("dnc", "add", "--workspace", ws, "--practice", "A81001", "--patient-id",
                      "p3", "--reason", "asked by phone")  # fmt: skip
    assert appended.exit_code == 0, appended.output
    result = verify(ws)
    assert result.exit_code == 0, result.output
    assert "which the keyed entries after them protect" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "verify"),
        ("dnc", "list"),
        ("report", "yield"),
        ("explain", "--practice", "A81001", "--patient-id", "p2"),
    ],
    ids=["verify", "dnc-list", "yield", "explain"],
)
def test_read_commands_work_on_a_read_only_workspace(ws, args):
    with read_only(ws) as view:
        result = cohort(*args, "--workspace", view)
    assert result.exit_code == 0, result.output


def test_a_change_to_a_read_only_workspace_is_one_line_saying_so(ws, tmp_path):
    with read_only(ws) as view:
        result = cohort("run", *OFF, write_extract(tmp_path / "x"), "--workspace", view, "-q")
    assert result.exit_code == 7, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("cohort: the folder is on a read-only disk") or "read-only" in line


def test_mailmerge_of_the_run_is_what_the_ledger_says(ws):
    (merge,) = [p for p in ws.rglob("mailmerge.csv") if p.parent.parent.name == "runs"]
    with merge.open(encoding="utf-8-sig", newline="") as fh:
        assert sorted(r["patient_id"] for r in csv.DictReader(fh)) == sorted(
            p for p, *_ in ledger(ws)
        )
