"""End to end on a `cohort synth` extract: `cohort run` leaves a run record and a log
entry; explain answers for invitees and for patients stopped by each kind of rule;
tampering is named; a complaint keeps the person out of a later run with a new
index date; a second run at the same time gets the lock error and the log still
verifies."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import json
import shutil
import threading
import time

import duckdb
import pytest
from click.testing import CliRunner

from pipeline import run as run_module
from pipeline import stages
from pipeline.audit.log import read_entries
from pipeline.cli import main
from pipeline.fsutil import sha256_file
from pipeline.paths import DEFAULT_STUDY

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        "write_run_record" not in inspect.getsource(stages) + inspect.getsource(run_module),
        reason="the orchestrator does not call pipeline.audit yet (docs/audit.md, 'For developers')",
    ),
]


def cohort(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def query(path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """One synthetic practice and a first published run of the InStep study on it."""
    root = tmp_path_factory.mktemp("e2e")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("pipeline.invitations.pdf.chromium", lambda: None)
        made = cohort(
            "synth", "--practices", 1, "--patients", 1500, "--seed", 11, "--out", root / "extracts"
        )
        assert made.exit_code == 0, made.output
        blank_postcodes(root / "extracts", 2)
        result = cohort("run", root / "extracts", "--workspace", root / "ws", "-q", "--new-workspace",
                        "--screening", "off", "--reason", "end-to-end test of the letters")  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = (root / "ws" / "runs").iterdir()
    return root, folder


def blank_postcodes(extracts, n: int) -> None:
    """A data manager's slip: N patients the study would likely invite (working age,
    registered, pain in the record) lose their postcode."""
    with (extracts / "truth.csv").open(newline="") as fh:
        chosen = {
            (r["practice_code"], r["patient_id"])
            for r in csv.DictReader(fh)
            if r["pain_coded"] == "true" and r["registered"] == "true" and 18 <= int(r["age"]) <= 64
        }
    chosen = set(sorted(chosen)[:n])
    for path in extracts.glob("*/patients.csv"):
        with path.open(newline="") as fh:
            reader = csv.DictReader(fh)
            rows, fields = list(reader), reader.fieldnames
        for row in rows:
            if (path.parent.name, row["patient_id"]) in chosen:
                row["postcode"] = ""
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)


def patient_stopped_by(folder, rule: str) -> tuple[str, str]:
    rows = query(folder / "run.duckdb", "SELECT practice_code, patient_id FROM population WHERE stopped_by = ? "
                 "ORDER BY patient_id LIMIT 1", [rule])  # fmt: skip
    assert rows, f"the synthetic practice has nobody stopped by {rule}"
    return rows[0]


def test_the_run_leaves_a_record_and_one_log_entry_that_verify(first):
    root, folder = first
    record = json.loads((folder / "run_record.json").read_text())
    (entry,) = read_entries(root / "ws" / "audit.log")
    assert entry["kind"] == "run" and entry["details"]["run_id"] == record["run_id"] == folder.name
    assert entry["details"]["run_record_sha256"] == sha256_file(folder / "run_record.json")
    assert record["inputs"]["row_counts"] and all(f["sha256"] for f in record["inputs"]["files"])
    assert record["validation"] and record["counts"]["invited"] == len(
        list(csv.DictReader((folder / "mailmerge.csv").open(encoding="utf-8-sig", newline="")))
    )  # rows, not lines: the address block has line breaks inside its quoted field
    verified = cohort("audit", "verify", "--workspace", root / "ws")
    assert verified.exit_code == 0, verified.output


def test_explain_answers_for_each_kind_of_patient(first):
    root, folder = first
    ref = (folder / "mailmerge.csv").read_text().splitlines()[1].split(",")[0]
    invited = cohort("explain", "--workspace", root / "ws", "--invite-ref", ref)
    assert (
        invited.exit_code == 0
        and f"INVITED: every rule held; the letter's reference is {ref}" in invited.output
    )
    for rule, said in [
        (
            "in_work",
            "the first rule that stopped them was 'Not known to be in work': the latest employment status",
        ),
        ("age", "the first rule that stopped them was 'Of working age': aged"),
        (
            "data_quality",
            "HELD IN QUARANTINE: every rule held, but the record cannot be mailed safely",
        ),
    ]:
        practice, pid = patient_stopped_by(folder, rule)
        text = cohort(
            "explain", "--workspace", root / "ws", "--practice", practice, "--patient-id", pid
        ).output
        assert said in text, text


def new_index_date(folder) -> dt.date:
    """An index date before the extract date (the only kind there is), after the
    last birth in the extract: a patient born after the index date trips the cohort
    suite's age check (DuckDB's // truncates -16 // 10000 to 0; reported)."""
    extract_date, last_birth = query(
        folder / "run.duckdb",
        "SELECT (SELECT max(extract_date) FROM practices), (SELECT max(date_of_birth) FROM patients)",
    )[0]
    return max(
        extract_date - dt.timedelta(days=30), min(last_birth + dt.timedelta(days=1), extract_date)
    )


def _copy(root, tmp_path):
    dst = tmp_path / "ws"
    shutil.copytree(root / "ws", dst)
    con = duckdb.connect(str(dst / "state.duckdb"))
    try:
        con.execute(
            "UPDATE runs SET out_dir = replace(out_dir, ?, ?)", [str(root / "ws"), str(dst)]
        )
    finally:
        con.close()
    return dst


def test_tampering_with_an_output_or_an_entry_is_named(first, tmp_path):
    root, folder = first
    ws = _copy(root, tmp_path)
    merge = ws / "runs" / folder.name / "mailmerge.csv"
    merge.write_text(merge.read_text()[:-10])
    result = cohort("audit", "verify", "--workspace", ws)
    assert result.exit_code == 8 and f"FAIL {merge}: sha256 differs" in result.output
    shutil.copy(folder / "mailmerge.csv", merge)
    log = ws / "audit.log"
    log.write_text(log.read_text().replace('"status":"published"', '"status":"rolled_back"'))
    result = cohort("audit", "verify", "--workspace", ws)
    assert (
        result.exit_code == 8
        and "audit.log entry seq 1 (line 1): its contents do not match its hash" in result.output
    )


def _wait_for_lock(ws, thread) -> None:
    """Until the run in THREAD holds the workspace lock (the holder is written into .lock)."""
    for _ in range(1200):
        lock = ws / ".lock"
        if lock.exists() and '"command": "run"' in lock.read_text():
            return
        assert thread.is_alive(), "the first run ended before it took the workspace lock"
        time.sleep(0.05)
    raise AssertionError("the first run never took the workspace lock")


def _run_in_thread(options) -> tuple[threading.Thread, dict]:
    """`cohort run` as the orchestrator runs it, in a thread of this process (same code, no CLI)."""
    done: dict = {}

    def target():
        try:
            done["state"] = run_module.execute(options)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            done["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, done


def test_a_complaint_keeps_them_out_of_a_later_run_and_a_concurrent_run_is_refused(first):
    root, folder = first
    ws = root / "ws"
    merge = (folder / "mailmerge.csv").read_text().splitlines()
    ref, practice, pid = merge[1].split(",")[:3]
    recorded = cohort("outcome", "record", "--workspace", ws, "--invite-ref", ref, "--outcome", "complaint",
                      "--reason", "in_work")  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    later = new_index_date(folder).isoformat()
    assert later < json.loads((folder / "run_record.json").read_text())["index_dates"][practice]
    options = run_module.RunOptions(extracts=(root / "extracts",), study_path=DEFAULT_STUDY, workspace=ws,
                                    index_date=dt.date.fromisoformat(later), screening="off",
                                    screening_reason="end-to-end test of the letters")  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("pipeline.invitations.pdf.chromium", lambda: None)
        (ws / ".lock").write_text("{}")  # the last holder's note stays after release
        thread, done = _run_in_thread(options)
        _wait_for_lock(ws, thread)
        clash = cohort("run", root / "extracts", "--workspace", ws, "-q")
        thread.join(600)
    assert clash.exit_code == 7 and "is in use by another cohort command" in clash.output
    assert "error" not in done, done.get("error")
    runs = sorted(p for p in (ws / "runs").iterdir() if p.name != folder.name)
    (later_run,) = runs
    (row,) = query(later_run / "run.duckdb", "SELECT do_not_contact, invited, index_date FROM population "
                   "WHERE practice_code = ? AND patient_id = ?", [practice, pid])  # fmt: skip
    assert row == (True, False, dt.date.fromisoformat(later))
    kinds = [e["kind"] for e in read_entries(ws / "audit.log")]
    assert kinds == ["run", "outcome", "dnc_add", "run"]
    verified = cohort("audit", "verify", "--workspace", ws)
    assert verified.exit_code == 0, verified.output
