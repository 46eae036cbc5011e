"""`cohort audit verify`: the log's hash chain, and every file the log vouches for.

Checks, and names exactly where each breaks:
1. every line of audit.log is a whole entry, numbered 1, 2, 3 … with no gap,
   whose hash matches its contents and whose prev_hash is the previous entry's hash;
2. each run's run_record.json still has the hash its log entry recorded, and
   every output file and run.duckdb listed in the record still has its hash
   (a rolled-back run's removed files may be missing, but not changed);
3. every run the workspace state knows has a log entry (entries cut off the end).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import db
from pipeline.audit.log import GENESIS, Line, entry_hash, read_lines
from pipeline.audit.runs import RECORD_NAME, RUN_DB, resolve_dir
from pipeline.errors import AuditError
from pipeline.fsutil import sha256_file


@dataclass
class Report:
    entries: int = 0
    runs: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_workspace(ws) -> Report:
    """Check WS's audit log and the files it refers to; never raises for a finding."""
    report = Report()
    entries = check_chain(ws.audit_path, report)
    rolled_back = {e["details"].get("run_id") for e in entries if e["kind"] == "rollback"}
    for entry in entries:
        if entry["kind"] in ("run", "run_failed") and entry["details"].get("out_dir"):
            check_run_files(
                ws, entry, report, rolled_back=entry["details"].get("run_id") in rolled_back
            )
    check_state_runs(ws, entries, report)
    return report


def raise_if_broken(report: Report) -> None:
    if report.problems:
        more = (
            f" (and {len(report.problems) - 1} more problems listed above)"
            if len(report.problems) > 1
            else ""
        )
        raise AuditError(f"audit verification failed: {report.problems[0]}{more}")


def check_chain(path: Path, report: Report) -> list[dict]:
    """Walk the chain; returns the well-formed entries (checked or not)."""
    expected_seq, prev = 1, GENESIS
    entries = []
    for line in read_lines(path):
        if line.entry is None:
            report.problems.append(
                f"{path.name} line {line.number} (byte {line.offset}): {line.error}"
            )
            prev = None  # the next entry's link cannot be checked
            continue
        _check_entry(path.name, line, expected_seq=expected_seq, prev=prev, report=report)
        entries.append(line.entry)
        expected_seq, prev = line.entry["seq"] + 1, line.entry["hash"]
    report.entries = len(entries)
    return entries


def _check_entry(
    name: str, line: Line, *, expected_seq: int, prev: str | None, report: Report
) -> None:
    entry, where = line.entry, f"{name} entry seq {line.entry.get('seq')} (line {line.number})"
    if entry["seq"] != expected_seq:
        report.problems.append(
            f"{where}: expected seq {expected_seq}; an entry was removed, inserted or reordered before it"
        )
    if prev is not None and entry["prev_hash"] != prev:
        report.problems.append(
            f"{where}: prev_hash {entry['prev_hash'][:12]}… is not the hash of the entry before it ({prev[:12]}…); "
            "the entry before it was rewritten, or entries were removed or reordered"
        )
    actual = entry_hash(entry)
    if entry["hash"] != actual:
        report.problems.append(
            f"{where}: its contents do not match its hash (recorded {entry['hash'][:12]}…, computed {actual[:12]}…); "
            f"the {entry.get('kind')} entry was changed after it was written"
        )


def check_run_files(ws, entry: dict, report: Report, *, rolled_back: bool) -> None:
    details, seq = entry["details"], entry["seq"]
    out_dir = resolve_dir(ws, details["out_dir"])
    report.runs += 1
    record_path = out_dir / RECORD_NAME
    source = f"audit.log entry seq {seq}"
    if not _check_file(record_path, details.get("run_record_sha256"), source=source, report=report):
        return
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except ValueError:
        report.problems.append(f"{record_path}: is not valid JSON")
        return
    listed = list(record.get("outputs") or [])
    if record.get("run_database"):
        listed.append({**record["run_database"], "path": RUN_DB})
    _check_listed(out_dir, listed, source=f"{RECORD_NAME} of run {details.get('run_id')}", report=report,
                  rolled_back=rolled_back)  # fmt: skip
    late = [
        {"path": p, "sha256": h} for p, h in (details.get("outputs_after_record") or {}).items()
    ]
    _check_listed(out_dir, late, source=source, report=report, rolled_back=rolled_back)


def _check_listed(
    out_dir: Path, listed: list[dict], *, source: str, report: Report, rolled_back: bool
) -> None:
    for item in listed:
        path = out_dir / item["path"]
        if rolled_back and not path.exists():
            report.notes.append(f"{path}: removed when the run was rolled back")
            continue
        _check_file(path, item.get("sha256"), source=source, report=report)


def _check_file(path: Path, expected: str | None, *, source: str, report: Report) -> bool:
    """Whether PATH exists (and has hash EXPECTED, when one was recorded)."""
    if not path.is_file():
        report.problems.append(f"{path}: missing ({source} lists it)")
        return False
    report.files += 1
    if expected is None:
        return True
    actual = sha256_file(path)
    if actual != expected:
        report.problems.append(
            f"{path}: sha256 differs from {source} (recorded {expected[:12]}…, now {actual[:12]}…); the file was changed"
        )
    return True


def check_state_runs(ws, entries: list[dict], report: Report) -> None:
    """Every run the workspace state knows must have a run entry in the log."""
    logged = {e["details"].get("run_id") for e in entries if e["kind"] == "run"}
    with ws.state(read_only=True) as con:
        known = db.run(con, "audit/runs").fetchall()
    for run_id, _study, status, _started, _out in known:
        if run_id not in logged:
            report.problems.append(
                f"run {run_id} ({status}) is in the workspace state but audit.log has no run entry for it; "
                "entries were cut from the log, or the run was never logged"
            )
