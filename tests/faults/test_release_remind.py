"""`cohort release` and `cohort remind` on the commit point (pipeline/journal.py), as `cohort
run` is: killed before, at and after each step of it, the next command finishes or undoes
what they left (no staging folder, no journal entry, `audit verify` clean); a run folder that
gained one of their files is refused and the change undone; letters, lists and the state's
rows are visible together or not at all."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal

import duckdb
import pytest

from pipeline import journal
from pipeline.audit.log import read_entries

from .world import ELIGIBLE, OFF, cohort, killed, ledger, verify, when, write_extract

pytestmark = pytest.mark.slow

RELEASE_BEFORE = ["release_written", "before_commit"]
REMIND_BEFORE = ["reminder_written", "before_commit"]
AFTER = ["after_commit", "after_publish", "after_audit"]
NEVER = ("--pdf", "never")


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    """A workspace with one screened run whose decisions are in (p1 and p2 included)."""
    root = tmp_path_factory.mktemp("screened")
    extracts, ws = write_extract(root), root / "ws"
    assert (
        cohort("run", extracts, "--workspace", ws, "--new-workspace", "-q", *NEVER).exit_code == 0
    )
    run_id = ledger(ws)[0][1]
    rows = _rows(ws / "runs" / run_id / "screening" / "screening_list.csv")
    for row in rows:
        row["decision"] = "include"
    decisions = root / "decisions.csv"
    with decisions.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert cohort("screen", "import", decisions, "--workspace", ws).exit_code == 0
    return ws, run_id


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A workspace with one run whose letters went out on 2024-01-01."""
    root = tmp_path_factory.mktemp("written")
    extracts, ws = write_extract(root), root / "ws"
    made = cohort("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "-q", *NEVER,
                  "--letter-date", "2024-01-01")  # fmt: skip
    assert made.exit_code == 0, made.output
    return ws, ledger(ws)[0][1]


def _copy(base, tmp_path):
    ws, run_id = base
    shutil.copytree(ws, tmp_path / "ws")
    return tmp_path / "ws", run_id


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _repaired(ws) -> None:
    checked = verify(ws)  # as the next command, it repairs first
    assert checked.exit_code == 0, checked.output
    assert not list(ws.rglob(".release-staging")), "a release staging folder was left behind"
    assert not list(ws.rglob(".*.stage")), "a reminder staging folder was left behind"
    assert not list((ws / "journal").glob("*.json")), "the commit journal was not emptied"


def _kinds(ws, kind):
    return [e["details"] for e in read_entries(ws / "audit.log") if e["kind"] == kind]


def _reminders(ws):
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT r.status, count(l.invite_ref) FROM reminders AS r "
            "LEFT JOIN reminder_letters AS l USING (reminder_id) GROUP BY ALL"
        ).fetchall()


def _remind(ws, run_id):
    return ("remind", run_id, "--workspace", ws, "--letter-date", "2024-02-01", *NEVER)


# --- cohort release ---------------------------------------------------------------------


@pytest.mark.parametrize("point", RELEASE_BEFORE)
def test_a_release_killed_before_its_commit_is_undone_and_can_run_again(screened, tmp_path, point):
    ws, run_id = _copy(screened, tmp_path)
    folder = ws / "runs" / run_id
    assert killed("release", run_id, "--workspace", ws, *NEVER, fault=point) == 86
    assert (folder / ".release-staging").is_dir(), "the killed release had started its files"
    _repaired(ws)
    assert {s for *_, s in ledger(ws)} == {"awaiting_screening"}
    assert not (folder / "mailmerge.csv").exists() and not (folder / "practices").exists()
    (failed,) = _kinds(ws, "release_failed")
    assert failed["run_id"] == run_id and failed["reason"] == "interrupted before the commit"
    assert cohort("release", run_id, "--workspace", ws, *NEVER).exit_code == 0
    assert sorted(r["patient_id"] for r in _rows(folder / "mailmerge.csv")) == sorted(ELIGIBLE)
    assert verify(ws).exit_code == 0


@pytest.mark.parametrize("point", AFTER)
def test_a_release_killed_after_its_commit_is_finished_and_logged_once(screened, tmp_path, point):
    ws, run_id = _copy(screened, tmp_path)
    folder = ws / "runs" / run_id
    assert killed("release", run_id, "--workspace", ws, *NEVER, fault=point) == 86
    assert {s for *_, s in ledger(ws)} == {"active"}
    _repaired(ws)
    assert sorted(r["patient_id"] for r in _rows(folder / "mailmerge.csv")) == sorted(ELIGIBLE)
    (entry,) = _kinds(ws, "release")
    assert entry["included"] == 2 and "mailmerge.csv" in entry["outputs"]
    assert (folder / "screening" / "release_record.json").is_file()
    again = cohort("release", run_id, "--workspace", ws, *NEVER)
    assert again.exit_code == 7 and "already released" in again.output


def test_a_run_folder_that_gained_a_release_file_is_refused_and_the_release_undone(
    screened, tmp_path, monkeypatch
):
    ws, run_id = _copy(screened, tmp_path)
    folder = ws / "runs" / run_id
    monkeypatch.setattr(journal, "fault", when(
        "before_commit", lambda: (folder / "nurse_list.csv").write_text("someone else's")
    ))  # fmt: skip
    refused = cohort("release", run_id, "--workspace", ws, *NEVER)
    assert refused.exit_code == 7
    line = refused.output.strip().splitlines()[-1]
    assert f"{folder} gained nurse_list.csv while the release was working" in line, line
    assert "the release was undone (logged)" in line and "run cohort release" in line
    assert (folder / "nurse_list.csv").read_text() == "someone else's"
    assert not (folder / "mailmerge.csv").exists() and not (folder / "practices").exists()
    assert {s for *_, s in ledger(ws)} == {"awaiting_screening"}
    (entry,) = _kinds(ws, "release")
    assert entry["status"] == "withdrawn_unpublished"
    monkeypatch.undo()
    assert verify(ws).exit_code == 0
    (folder / "nurse_list.csv").unlink()
    assert cohort("release", run_id, "--workspace", ws, *NEVER).exit_code == 0
    assert {s for *_, s in ledger(ws)} == {"active"}
    assert verify(ws).exit_code == 0


# --- cohort remind ----------------------------------------------------------------------


@pytest.mark.parametrize("point", REMIND_BEFORE)
def test_a_reminder_killed_before_its_commit_leaves_nothing_behind(written, tmp_path, point):
    ws, run_id = _copy(written, tmp_path)
    assert killed(*_remind(ws, run_id), fault=point) == 86
    (stage,) = (ws / "runs" / run_id / "reminders").glob(".*.stage")  # what a crash leaves
    assert list(stage.rglob("mailmerge.csv")), "the killed reminder had written its list"
    _repaired(ws)
    assert _reminders(ws) == [] and not list(ws.rglob("reminders/*/mailmerge.csv"))
    (failed,) = _kinds(ws, "reminder_failed")
    assert failed["run_id"] == run_id and failed["letters"] == 2
    assert cohort(*_remind(ws, run_id)).exit_code == 0
    assert _reminders(ws) == [("published", 2)]
    assert verify(ws).exit_code == 0


@pytest.mark.parametrize("point", AFTER)
def test_a_reminder_killed_after_its_commit_is_finished_and_logged_once(written, tmp_path, point):
    ws, run_id = _copy(written, tmp_path)
    assert killed(*_remind(ws, run_id), fault=point) == 86
    assert [n for _status, n in _reminders(ws)] == [2]
    again = cohort(*_remind(ws, run_id))  # repairs first; then nobody is left to remind
    assert again.exit_code == 2 and "been reminded; no reminders" in again.output, again.output
    _repaired(ws)
    assert _reminders(ws) == [("published", 2)]
    (merge,) = ws.rglob("reminders/*/mailmerge.csv")
    assert sorted(r["patient_id"] for r in _rows(merge)) == sorted(ELIGIBLE)
    (entry,) = _kinds(ws, "reminder")
    assert entry["letters"] == 2 and "mailmerge.csv" in entry["outputs"]


def test_an_older_versions_reminder_stage_is_removed_by_the_next_command(written, tmp_path):
    ws, run_id = _copy(written, tmp_path)
    stage = ws / "runs" / run_id / "reminders" / ".20240201-101010-abcd.stage"
    stage.mkdir(parents=True)
    (stage / "mailmerge.csv").write_text("invite_ref\nX\n")
    assert cohort("dnc", "list", "--workspace", ws).exit_code == 0  # any command
    assert verify(ws).exit_code == 0 and not stage.exists()


def test_a_reminder_folder_that_gained_a_file_is_refused_and_nobody_marked_reminded(
    written, tmp_path, monkeypatch
):
    ws, run_id = _copy(written, tmp_path)

    def squat():
        (folder,) = (ws / "runs" / run_id / "reminders").glob(".*.stage")
        out = folder.parent / folder.name[1:].removesuffix(".stage")
        out.mkdir()
        (out / "notes.txt").write_text("mine")

    monkeypatch.setattr(journal, "fault", when("before_commit", squat))
    refused = cohort(*_remind(ws, run_id))
    assert refused.exit_code == 7
    line = refused.output.strip().splitlines()[-1]
    assert "gained files while the reminder was working (e.g. notes.txt)" in line, line
    assert "nobody is marked reminded (logged): run cohort remind" in line
    assert _reminders(ws) == [] and not list(ws.rglob("reminders/*/mailmerge.csv"))
    monkeypatch.undo()
    assert verify(ws).exit_code == 0
    assert cohort(*_remind(ws, run_id)).exit_code == 0 and _reminders(ws) == [("published", 2)]


@pytest.mark.parametrize("command", ["release", "remind"])
def test_ctrl_c_during_the_commit_waits_until_the_letters_are_published(
    screened, written, tmp_path, monkeypatch, command
):
    ws, run_id = _copy(screened if command == "release" else written, tmp_path)
    args = ("release", run_id, "--workspace", ws, *NEVER) if command == "release" else (
        _remind(ws, run_id))  # fmt: skip
    monkeypatch.setattr(journal, "fault", when(
        "after_commit", lambda: os.kill(os.getpid(), signal.SIGINT)
    ))  # fmt: skip
    done = cohort(*args)
    assert done.exit_code == 0, done.output
    assert not list((ws / "journal").glob("*.json"))
    assert len(list(ws.rglob("mailmerge.csv"))) >= 1 + (command == "remind")
    monkeypatch.undo()
    assert verify(ws).exit_code == 0


# --- audit verify checks what release and reminder entries recorded ---------------------

PATIENT_DATA = ("Ann", "Smith", "Sean", "Brien", "943 476 5919", "9434765919")


def _tampered(ws, *expected):
    checked = verify(ws)
    assert checked.exit_code == 8, checked.output
    for text in expected:
        assert text in checked.output, checked.output
    assert not [t for t in PATIENT_DATA if t in checked.output], checked.output
    return checked.output


@pytest.fixture
def released(screened, tmp_path):
    ws, run_id = _copy(screened, tmp_path)
    assert cohort("release", run_id, "--workspace", ws, *NEVER).exit_code == 0
    assert verify(ws).exit_code == 0
    return ws, run_id


@pytest.mark.parametrize("name", ["mailmerge.csv", "practices/A81001/letters.html"])
def test_a_released_letter_or_list_changed_is_named_by_verify(released, name):
    ws, run_id = released
    path = ws / "runs" / run_id / name
    path.write_text(path.read_text().replace("Smith", "Smyth"))
    seq = _seq(ws, "release")
    _tampered(
        ws, f"{name}: sha256 differs from audit.log entry seq {seq} (release of run {run_id})"
    )


def test_a_released_list_deleted_is_named_by_verify(released):
    ws, run_id = released
    (ws / "runs" / run_id / "nurse_list.csv").unlink()
    _tampered(
        ws, "nurse_list.csv: missing (audit.log entry seq", f"(release of run {run_id}) lists it"
    )


def test_a_released_ledger_row_switched_to_screened_out_is_caught(released):
    ws, run_id = released
    with duckdb.connect(str(ws / "state.duckdb")) as con:
        con.execute("UPDATE ledger SET status = 'screened_out' WHERE patient_id = 'p1'")
    _tampered(ws, f"ledger: the invitations of run {run_id} the GP included differ",
              f"the GP excluded differ from those audit.log entry seq {_seq(ws, 'release')}")  # fmt: skip


def test_a_released_run_rolled_back_still_verifies(released):
    ws, run_id = released
    assert cohort("rollback", run_id, "--workspace", ws, "--reason", "not posted").exit_code == 0
    assert not (ws / "runs" / run_id / "mailmerge.csv").exists()
    assert verify(ws).exit_code == 0, verify(ws).output


@pytest.fixture
def reminded(written, tmp_path):
    ws, run_id = _copy(written, tmp_path)
    assert cohort(*_remind(ws, run_id)).exit_code == 0
    assert verify(ws).exit_code == 0
    (folder,) = (ws / "runs" / run_id / "reminders").iterdir()
    return ws, folder


def test_a_reminder_letter_changed_is_named_by_verify(reminded):
    ws, folder = reminded
    path = folder / "practices" / "A81001" / "reminders.html"
    path.write_text(path.read_text().replace("Smith", "Smyth"))
    _tampered(ws, "practices/A81001/reminders.html: sha256 differs from audit.log entry seq",
              f"(reminder {folder.name} of run")  # fmt: skip


@pytest.mark.parametrize("change", [
    "DELETE FROM reminder_letters WHERE invite_ref = (SELECT min(invite_ref) FROM reminder_letters)",
    "UPDATE reminder_letters SET invite_ref = 'X00-000-0'",
])  # fmt: skip
def test_reminder_rows_changed_are_caught(reminded, change):
    ws, folder = reminded
    with duckdb.connect(str(ws / "state.duckdb")) as con:
        con.execute(change)
    _tampered(ws, f"reminder_letters: reminder {folder.name} has", "reminder rows were changed")


def _seq(ws, kind):
    return [e["seq"] for e in read_entries(ws / "audit.log") if e["kind"] == kind][-1]


def test_an_older_versions_committed_reminder_is_published_by_the_next_command(written, tmp_path):
    """Before the commit journal, a reminder batch committed (status 'committed', absolute
    folders) and killed before its move was finished by the next `cohort remind` only."""
    ws, run_id = _copy(written, tmp_path)
    (ws / "workspace.json").write_text(json.dumps({"root": str(ws.resolve())}))  # the original
    assert cohort(*_remind(ws, run_id)).exit_code == 0
    (done,) = (ws / "runs" / run_id / "reminders").iterdir()
    stage = done.parent / f".{done.name}.stage"
    done.rename(stage)  # as the older version left it: committed, still in its staging folder
    with duckdb.connect(str(ws / "state.duckdb")) as con:
        con.execute("UPDATE reminders SET status = 'committed', stage_dir = $s, out_dir = $o",
                    {"s": str(stage.resolve()), "o": str(done.resolve())})  # fmt: skip
    assert cohort("dnc", "list", "--workspace", ws).exit_code == 0  # any command
    assert (done / "mailmerge.csv").is_file() and not stage.exists()
    assert _reminders(ws) == [("published", 2)]
    assert verify(ws).exit_code == 0
