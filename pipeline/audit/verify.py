"""`cohort audit verify`: the log's keyed hash chain, every file it vouches for, and the state.

Checks, and names exactly where each breaks (docs/audit.md, "What verify detects"):
1. every line of audit.log is a whole entry, numbered 1, 2, 3 … with no gap,
   whose hash matches its contents, whose prev_hash is the previous entry's
   hash and whose MAC (under the workspace key) matches its hash; no unkeyed
   entry after a keyed one;
2. the log ends where WORKSPACE/audit.head (MAC'd) and every run record's
   ``audit_head`` say it reached (entries cut off the end);
3. each run's run_record.json still has the hash its log entry recorded, and
   every output file and run.duckdb listed in the record still has its hash
   (a rolled-back run's removed files may be missing, but not changed);
4. every run the workspace state knows has a log entry, and the ledger,
   do-not-contact list and outcomes match what the log says happened
   (pipeline/audit/verify_state.py);
4a. every file a release or reminder entry lists still has its hash, and the
   ledger and reminder rows match the references it recorded
   (pipeline/audit/verify_letters.py);
5. no command was left half-done (a commit journal entry still pending).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import db, journal
from pipeline.audit.log import (
    GENESIS,
    HEAD_NAME,
    Line,
    entry_hash,
    entry_mac,
    head_mac,
    read_head,
    read_lines,
)
from pipeline.audit.runs import RECORD_NAME, RUN_DB, resolve_dir
from pipeline.audit.verify_letters import check_letters
from pipeline.audit.verify_state import check_state
from pipeline.errors import AuditError, CohortError
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
    key = _key(ws, report)
    entries = check_chain(ws.audit_path, report, key=key)
    check_head(ws, entries, report, key=key)
    rolled_back = {e["details"].get("run_id") for e in entries if e["kind"] == "rollback"}
    for entry in entries:
        if entry["kind"] in ("run", "run_failed") and entry["details"].get("out_dir"):
            check_run_files(
                ws, entry, report, rolled_back=entry["details"].get("run_id") in rolled_back
            )
    check_state_runs(ws, entries, report)
    check_state(ws, entries, report)
    check_letters(ws, entries, report, check_file=_check_file)
    check_pending(ws, report)
    return report


def _key(ws, report: Report) -> bytes | None:
    from pipeline.audit.pseudo import key_path, load_key

    if not key_path(ws).exists():
        if ws.audit_path.exists():
            report.notes.append("secret.key is missing: entry MACs cannot be checked")
        return None
    try:
        return load_key(ws)
    except CohortError as exc:
        report.problems.append(exc.message)
        return None


def check_head(ws, entries: list[dict], report: Report, *, key: bytes | None) -> None:
    """The log must reach the head audit.head and the run records say it reached."""
    last = entries[-1] if entries else None
    anchors = _record_anchors(ws, entries)
    head = read_head(ws)
    if head is None:
        if last is not None and last.get("mac"):
            report.problems.append(f"{HEAD_NAME} is missing; it records where the log ended")
    elif head.get("damaged") or not _head_ok(head, key):
        report.problems.append(f"{HEAD_NAME}: damaged or not made with this workspace's key")
    else:
        anchors.append((HEAD_NAME, head))
    by_seq = {e["seq"]: e for e in entries}
    for source, anchor in anchors:
        entry = by_seq.get(anchor.get("seq"))
        if entry is None:
            report.problems.append(
                f"{source} says audit.log reached entry seq {anchor.get('seq')}, but it ends at seq "
                f"{last['seq'] if last else 0}; entries were cut from the end of the log"
            )
        elif entry["hash"] != anchor.get("hash"):
            report.problems.append(
                f"{source} says entry seq {anchor.get('seq')} has hash {str(anchor.get('hash'))[:12]}…, "
                f"but the log's has {entry['hash'][:12]}…; the log was rewritten from there"
            )


def _head_ok(head: dict, key: bytes | None) -> bool:
    if key is None:
        return True
    return head.get("mac") == head_mac(key, head.get("seq"), str(head.get("hash")))


def _record_anchors(ws, entries: list[dict]) -> list[tuple[str, dict]]:
    """The audit_head each run folder's record carries (the log as the run started)."""
    found = []
    for record_path in sorted(ws.runs_dir.glob(f"*/{RECORD_NAME}")):
        try:
            anchor = json.loads(record_path.read_text(encoding="utf-8")).get("audit_head")
        except (OSError, ValueError):
            continue
        if isinstance(anchor, dict) and anchor.get("seq"):
            found.append((str(record_path.relative_to(ws.root)), anchor))
    return found


def check_pending(ws, report: Report) -> None:
    for intent in journal.pending(ws):
        report.problems.append(
            f"{intent.kind} {intent.run_id} was interrupted and is not finished; run any cohort "
            "command that can write to this workspace (e.g. `cohort audit verify` where it is "
            "writable) to finish or undo it"
        )


def raise_if_broken(report: Report) -> None:
    if report.problems:
        more = (
            f" (and {len(report.problems) - 1} more problems listed above)"
            if len(report.problems) > 1
            else ""
        )
        raise AuditError(f"audit verification failed: {report.problems[0]}{more}")


def check_chain(path: Path, report: Report, *, key: bytes | None = None) -> list[dict]:
    """Walk the chain (and the MACs, with KEY); returns the well-formed entries (checked or not)."""
    expected_seq, prev = 1, GENESIS
    entries, keyed, unkeyed = [], False, 0
    for line in read_lines(path):
        if line.entry is None:
            report.problems.append(
                f"{path.name} line {line.number} (byte {line.offset}): {line.error}"
            )
            prev = None  # the next entry's link cannot be checked
            continue
        _check_entry(path.name, line, expected_seq=expected_seq, prev=prev, report=report)
        keyed, unkeyed = _check_mac(
            path.name, line, key=key, keyed=keyed, report=report, unkeyed=unkeyed
        )
        entries.append(line.entry)
        expected_seq, prev = line.entry["seq"] + 1, line.entry["hash"]
    report.entries = len(entries)
    if unkeyed:
        report.notes.append(
            f"{unkeyed} entr{'y' if unkeyed == 1 else 'ies'} from before entries were keyed: checked by "
            "the hash chain"
            + (", which the keyed entries after them protect" if keyed else " only")
        )
    return entries


def _check_mac(name: str, line: Line, *, key, keyed: bool, report: Report, unkeyed: int):
    entry, where = line.entry, f"{name} entry seq {line.entry.get('seq')} (line {line.number})"
    mac = entry.get("mac")
    if mac is None:
        if keyed:
            report.problems.append(
                f"{where}: has no MAC although entries before it do; it was inserted or rewritten"
            )
        return keyed, unkeyed + (0 if keyed else 1)
    if key is not None and mac != entry_mac(key, entry["hash"]):
        report.problems.append(
            f"{where}: its MAC does not match (it was rewritten, chain and all, by someone "
            "without the workspace key)"
        )
    return True, unkeyed


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
