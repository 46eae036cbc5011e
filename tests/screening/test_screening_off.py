"""`cohort run --screening off --reason TEXT`: letters directly, for one run, audited."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipeline.audit.log import read_entries

from .conftest import cohort, read_csv, runs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--screening", "off"], "--screening off needs --reason TEXT"),
        (["--screening", "off", "--reason", "  "], "--screening off needs --reason TEXT"),
        (["--reason", "no GP this month"], "--reason is only for --screening off"),
    ],
)
def test_screening_off_needs_a_reason(extract, tmp_path, args, message):
    result = cohort("run", extract, "--workspace", tmp_path / "ws", "--new-workspace", "-q", *args)
    assert result.exit_code == 2 and message in result.output
    assert result.output.strip().count("\n") == 0
    assert not (tmp_path / "ws").exists() or runs(tmp_path / "ws") == []


def test_screening_off_writes_letters_and_the_log_says_who_and_why(extract, tmp_path):
    ws = tmp_path / "ws"
    why = "GP reviewed the search by hand at the practice meeting"
    result = cohort(
        "run",
        extract,
        "--workspace",
        ws,
        "--new-workspace",
        "-q",
        "--pdf",
        "never",
        "--screening",
        "off",
        "--reason",
        why,
    )
    assert result.exit_code == 0, result.output
    (folder,) = runs(ws)
    assert len(read_csv(folder / "mailmerge.csv")) == 9 and not (folder / "screening").exists()
    (entry,) = read_entries(ws / "audit.log")
    screening = entry["details"]["screening"]
    assert screening["mode"] == "off" and screening["reason"] == why
    assert screening["from"] == "--screening" and screening["chosen_by"] == entry["operator"]
    assert json.loads((folder / "run_record.json").read_text())["screening"] == screening
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        assert con.execute("SELECT screening, screening_reason FROM runs").fetchall() == [
            ("off", why)
        ]
        assert con.execute("SELECT DISTINCT status FROM ledger").fetchall() == [("active",)]
    refused = cohort("release", folder.name, "--workspace", ws)
    assert refused.exit_code == 7 and "had no GP screening (off)" in refused.output
    explained = cohort("explain", "--workspace", ws, "--practice", "A81001", "--patient-id", "a1")
    assert f"(GP screening was switched off for this run: {why})" in explained.output


def test_max_invites_overrides_the_study_capacity_and_defers_the_rest(extract, tmp_path):
    ws = tmp_path / "ws"
    result = cohort(
        "run",
        extract,
        "--workspace",
        ws,
        "--new-workspace",
        "-q",
        "--pdf",
        "never",
        "--max-invites-per-practice",
        "2",
    )
    assert result.exit_code == 0, result.output
    (folder,) = runs(ws)
    listed = read_csv(folder / "screening" / "screening_list.csv")
    assert [r["practice_code"] for r in listed].count("A81001") == 2
    deferred = read_csv(folder / "deferred.csv")
    assert len(deferred) == 4 + 1 and {r["capacity_rank"] for r in deferred} >= {"3", "6"}
    ranking = json.loads((folder / "run_record.json").read_text())["ranking"]
    assert (
        ranking["capacity_per_practice"] == 2
        and ranking["capacity_from"] == "--max-invites-per-practice"
    )
