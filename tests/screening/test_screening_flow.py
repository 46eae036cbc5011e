"""GP screening end to end: run -> screening lists -> import -> release -> letters,
and what a GP's exclusion does to later runs."""

from __future__ import annotations

import json

import duckdb

from pipeline.audit.log import read_entries

from .conftest import cohort, decide, read_csv, runs, screened_run


def ledger(ws) -> dict[str, str]:
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return dict(con.execute("SELECT patient_id, status FROM ledger").fetchall())


def test_a_screened_run_writes_lists_and_no_letters(ws, folder):
    assert not (folder / "mailmerge.csv").exists() and not (folder / "practices").exists()
    assert not (folder / "nurse_list.csv").exists()
    rows = read_csv(folder / "screening" / "screening_list.csv")
    assert [r["patient_id"] for r in rows if r["practice_code"] == "B82002"] == [
        "b1",
        "b2",
        "b3",
    ] or len(rows) == 9
    assert {r["patient_id"] for r in rows} == {f"a{i}" for i in range(1, 7)} | {"b1", "b2", "b3"}
    first = rows[0]
    assert first["forename"].startswith("Name") and first["date_of_birth"] == "1980-06-15"
    assert first["evidence"] == "C2 chronic pain recorded"
    assert first["score"] == "1" and first["decision"] == "" and first["rank"] == "1"  # C2: +1
    for code in ("A81001", "B82002"):
        html = (folder / "screening" / code / "screening_list.html").read_text()
        assert "GP screening list" in html and "known to be in work" in html
        assert len(read_csv(folder / "screening" / code / "screening_list.csv")) == (
            6 if code == "A81001" else 3
        )
    assert set(ledger(ws).values()) == {"awaiting_screening"}
    record = json.loads((folder / "run_record.json").read_text())
    assert record["screening"] == {"mode": "required", "from": "study"}
    assert record["ranking"]["capacity_per_practice"] == 120 and record["ranking"]["seed"] == 0


def test_run_import_release_writes_letters_for_the_included_only(ws, folder, tmp_path):
    decisions = decide(folder, tmp_path, {
        "a2": ("exclude", "in_work", ""),
        "a3": ("exclude", "other", "moving abroad next month"),
        "b1": ("exclude", "Recent bereavement", ""),
    })  # fmt: skip
    imported = cohort("screen", "import", decisions, "--workspace", ws)
    assert imported.exit_code == 0, imported.output
    assert "6 included, 3 excluded" in imported.output
    released = cohort("release", folder.name, "--workspace", ws, "--pdf", "never")
    assert released.exit_code == 0, released.output
    merge = read_csv(folder / "mailmerge.csv")
    assert {r["patient_id"] for r in merge} == {"a1", "a4", "a5", "a6", "b2", "b3"}
    nurse = read_csv(folder / "nurse_list.csv")
    assert len(nurse) == 6
    letters = (folder / "practices" / "A81001" / "letters.html").read_text()
    assert "NameA1" in letters and "NameA2" not in letters and "NameA3" not in letters
    assert ledger(ws) == {
        **{p: "active" for p in ("a1", "a4", "a5", "a6", "b2", "b3")},
        **{p: "screened_out" for p in ("a2", "a3", "b1")},
    }
    record = json.loads((folder / "screening" / "release_record.json").read_text())
    assert record["included"] == 6 and record["excluded"] == {
        "bereavement": 1,
        "in_work": 1,
        "other": 1,
    }
    kinds = [e["kind"] for e in read_entries(ws / "audit.log")]
    assert kinds == ["run", "screening_import", "release"]
    entry = read_entries(ws / "audit.log")[1]
    assert entry["details"]["excluded"] == {"bereavement": 1, "in_work": 1, "other": 1}
    assert (
        "moving abroad" not in (ws / "audit.log").read_text()
    )  # the GP's words stay out of the log
    release = read_entries(ws / "audit.log")[2]["details"]
    assert "mailmerge.csv" in release["outputs"] and release["included"] == 6
    assert cohort("audit", "verify", "--workspace", ws).exit_code == 0


def test_a_screened_out_person_is_not_listed_again_and_not_on_do_not_contact(
    extract, ws, folder, tmp_path
):
    decisions = decide(folder, tmp_path, {"a2": ("exclude", "serious_illness", "")})
    assert cohort("screen", "import", decisions, "--workspace", ws).exit_code == 0
    assert cohort("release", folder.name, "--workspace", ws, "--pdf", "never").exit_code == 0
    back = cohort("rollback", folder.name, "--workspace", ws, "--reason", "letters never printed")
    assert back.exit_code == 0, back.output
    later = screened_run(extract, ws)
    listed = {r["patient_id"] for r in read_csv(later / "screening" / "screening_list.csv")}
    assert "a2" not in listed and {"a1", "a3", "b1"} <= listed
    with duckdb.connect(str(later / "run.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT stopped_by, do_not_contact, screened_out FROM population WHERE patient_id = 'a2'"
        ).fetchone()
    assert row == ("screened_out", False, True)
    dnc = cohort("dnc", "list", "--workspace", ws)
    assert "a2" not in dnc.output
    explained = cohort("explain", "--workspace", ws, "--practice", "A81001", "--patient-id", "a2")
    assert "SCREENED OUT BY A GP" in explained.output and "(serious illness)" in explained.output
    assert "a GP screened them out of instep at an earlier run" in explained.output


def test_people_awaiting_screening_are_not_listed_by_a_later_run(extract, ws):
    later = cohort("run", extract, "--workspace", ws, "-q", "--pdf", "never", "--new-workspace")
    assert later.exit_code == 0, later.output
    newest = runs(ws)[-1]
    assert read_csv(newest / "screening" / "screening_list.csv") == []
    explained = cohort("explain", "--workspace", ws, "--practice", "A81001", "--patient-id", "a1")
    assert "ON THE GP SCREENING LIST, NOT YET RELEASED" in explained.output
    assert "on a GP screening list, not released yet: no letter" in explained.output


def test_rolling_back_an_unreleased_run_lists_its_people_again(extract, ws, folder):
    back = cohort(
        "rollback", folder.name, "--workspace", ws, "--reason", "GP away, list out of date"
    )
    assert back.exit_code == 0, back.output
    assert set(ledger(ws).values()) == {"rolled_back"}
    refused = cohort("release", folder.name, "--workspace", ws)
    assert refused.exit_code == 7 and "was rolled back" in refused.output
    later = screened_run(extract, ws)
    assert len(read_csv(later / "screening" / "screening_list.csv")) == 9


def test_release_needs_every_decision_and_happens_once(ws, folder, tmp_path):
    early = cohort("release", folder.name, "--workspace", ws)
    assert early.exit_code == 7
    assert (
        "9 of 9 listed people have no GP decision yet (practice: A81001 (6), B82002 (3))"
        in early.output
    )
    practice_list = folder / "screening" / "A81001" / "screening_list.csv"
    rows = read_csv(practice_list)
    for row in rows:
        row["decision"] = "include"
    from .conftest import write_csv

    assert (
        cohort("screen", "import", write_csv(tmp_path / "a.csv", rows), "--workspace", ws).exit_code
        == 0
    )
    half = cohort("release", folder.name, "--workspace", ws)
    assert (
        half.exit_code == 7
        and "3 of 9 listed people" in half.output
        and "B82002 (3)" in half.output
    )
    decisions = decide(folder, tmp_path, {})
    assert cohort("screen", "import", decisions, "--workspace", ws).exit_code == 0
    assert cohort("release", folder.name, "--workspace", ws, "--pdf", "never").exit_code == 0
    again = cohort("release", folder.name, "--workspace", ws)
    assert again.exit_code == 7 and "was already released" in again.output
    late = cohort("screen", "import", decisions, "--workspace", ws)
    assert late.exit_code == 2 and "unknown person" in late.output


def test_the_yield_report_counts_people_removed_at_screening_by_reason(ws, folder, tmp_path):
    decisions = decide(folder, tmp_path, {
        "a1": ("exclude", "in_work", ""), "a2": ("exclude", "in_work", ""),
        "b1": ("exclude", "bereavement", ""),
    })  # fmt: skip
    assert cohort("screen", "import", decisions, "--workspace", ws).exit_code == 0
    assert cohort("release", folder.name, "--workspace", ws, "--pdf", "never").exit_code == 0
    exact = cohort("report", "yield", "--workspace", ws, "--exact")
    assert exact.exit_code == 0, exact.output
    assert "Removed at screening:" in exact.output
    assert "  known to be in work: 2" in exact.output and "  recent bereavement: 1" in exact.output
    shared = cohort("report", "yield", "--workspace", ws)
    assert "  known to be in work: <8" in shared.output
