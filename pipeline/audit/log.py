"""The workspace audit log: append-only, keyed, hash-chained JSON lines (WORKSPACE/audit.log).

Each line is one entry: ``seq``, ``time`` (UTC), ``operator``, ``kind``,
``details``, ``prev_hash``, ``hash`` and ``mac``. ``hash`` is the SHA-256 of
the canonical JSON of every field before it; ``mac`` is HMAC-SHA256 of that hash
under the workspace key (WORKSPACE/secret.key, the key pseudonyms use), so a
rewritten entry cannot be given a matching chain by someone without the key.
Changing, removing or reordering an entry breaks the chain or a MAC at that
entry, and ``cohort audit verify`` names it.

After every append the head (last seq, hash, and a MAC over both) is written to
WORKSPACE/audit.head, and each run record carries the head the run started
from: cutting entries off the end of the log is caught (see docs/audit.md,
"What verify detects"). Logs written before entries were keyed (no ``mac``)
still verify by their chain; the first keyed entry after them protects them.

Writing is crash-safe and safe against two writers: the whole line goes out in
one ``os.write`` on an ``O_APPEND`` descriptor and is fsynced, under an
exclusive ``flock`` on the log itself (commands that change the workspace also
hold the workspace lock). A write cut short (a full disk) is cut back off at
once; a final line without its newline left by a crash is a torn write: the
next command that changes the workspace removes it (``repair_tail``), logging
that it did.

Details carry ids (run id, invite_ref, pseudonymous person keys), categories,
counts and hashes, never a name, NHS number, address or date of birth.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import AuditError
from pipeline.fsutil import PRIVATE_FILE, atomic_write_text, fsync_dir, injected_enospc
from pipeline.workspace import now, operator

KINDS = (
    "run", "run_failed", "rollback", "outcome", "dnc_add", "dnc_remove", "export", "reminder",
    "screening_import", "release", "repair", "release_failed", "reminder_failed",
)  # fmt: skip
GENESIS = "0" * 64
FIELDS = ("seq", "time", "operator", "kind", "details", "prev_hash")
HEAD_NAME = "audit.head"


def entry_mac(key: bytes, entry_hash: str) -> str:
    """The entry's MAC: only a holder of the workspace key can make it."""
    return hmac.new(key, f"audit entry\x1f{entry_hash}".encode(), hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, entry_hash: str) -> str:
    return hmac.new(
        key, f"audit head\x1f{seq}\x1f{entry_hash}".encode(), hashlib.sha256
    ).hexdigest()


def _key(ws) -> bytes:
    from pipeline.audit.pseudo import load_key

    return load_key(ws)


def write_head(ws, entry: dict, key: bytes) -> None:
    """WORKSPACE/audit.head: the last entry's seq and hash, with a MAC over both."""
    head = {
        "seq": entry["seq"],
        "hash": entry["hash"],
        "mac": head_mac(key, entry["seq"], entry["hash"]),
    }
    atomic_write_text(ws.root / HEAD_NAME, json.dumps(head) + "\n")


def current_head(ws) -> dict | None:
    """The log's last entry as {seq, hash} (a run record keeps it: an anchor outside the log)."""
    last = read_tail(ws.audit_path).last
    return {"seq": last["seq"], "hash": last["hash"]} if last else None


def read_head(ws) -> dict | None:
    """The recorded head, or None when there is none (a log from before heads were kept)."""
    try:
        head = json.loads((ws.root / HEAD_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"damaged": True}
    return head if isinstance(head, dict) else {"damaged": True}


def canonical(value: object) -> str:
    """The one JSON spelling of VALUE that hashes are taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical({k: entry.get(k) for k in FIELDS}).encode("utf-8")).hexdigest()


def jsonable(value: object) -> object:
    """Dates, paths and tuples as plain JSON values, so the canonical form is stable."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=canonical) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass(frozen=True)
class Line:
    """One line of the log as read back: its number, byte offset, text and parsed entry."""

    number: int
    offset: int
    raw: bytes
    entry: dict | None
    error: str | None = None


@dataclass(frozen=True)
class Tail:
    """The end of the log: the last complete entry, and a torn fragment after it if any."""

    last: dict | None
    torn_offset: int | None = None
    torn_bytes: int = 0


def read_lines(path: Path) -> Iterator[Line]:
    """Every line of the log, in order; a final line without a newline is marked torn."""
    if not path.exists():
        return
    offset = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            yield _parse(number, offset, raw)
            offset += len(raw)


def _parse(number: int, offset: int, raw: bytes) -> Line:
    if not raw.endswith(b"\n"):
        return Line(
            number, offset, raw, None, f"torn write: the last {len(raw)} bytes have no newline"
        )
    try:
        entry = json.loads(raw)
    except ValueError:
        return Line(number, offset, raw, None, "not a JSON entry")
    if not isinstance(entry, dict) or set(entry) - {"mac"} != {*FIELDS, "hash"}:
        return Line(number, offset, raw, None, "not an audit entry (fields missing or extra)")
    if not (
        isinstance(entry["seq"], int)
        and isinstance(entry["details"], dict)
        and isinstance(entry["hash"], str)
        and isinstance(entry["prev_hash"], str)
    ):
        return Line(number, offset, raw, None, "not an audit entry (a field has the wrong type)")
    return Line(number, offset, raw, entry)


def read_entries(path: Path) -> list[dict]:
    """Every well-formed entry (for reports); damaged lines are skipped: use verify to see them."""
    return [line.entry for line in read_lines(path) if line.entry is not None]


def has_entry(path: Path, *, kind: str, run_id: str, field: str = "run_id") -> bool:
    """Whether the log already holds a KIND entry whose FIELD is RUN_ID (recovery appends each
    once; a release or reminder is named by its own id, a run by its run id)."""
    return any(e["kind"] == kind and e["details"].get(field) == run_id for e in read_entries(path))


def read_tail(path: Path, block: int = 1 << 16) -> Tail:
    """The last complete entry without reading the whole log (it only grows)."""
    if not path.exists():
        return Tail(None)
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        data, start = b"", size
        while start > 0 and data.count(b"\n") < 2:
            start = max(0, start - block)
            fh.seek(start)
            data = fh.read(size - start)
    return _tail_of(data, start, size)


def _tail_of(data: bytes, start: int, size: int) -> Tail:
    end = data.rfind(b"\n") + 1
    torn = (start + end, size - start - end) if end < len(data) else (None, 0)
    complete = data[:end].rstrip(b"\n")
    if not complete:
        return Tail(None, *torn)
    last_raw = complete.rsplit(b"\n", 1)[-1] + b"\n"
    line = _parse(0, 0, last_raw)
    if line.entry is None:
        raise AuditError(
            f"audit.log: the last entry is damaged ({line.error}); run `cohort audit verify` to see where"
        )
    return Tail(line.entry, *torn)


@contextlib.contextmanager
def _locked_append(path: Path) -> Iterator[int]:
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if created:
            fsync_dir(path.parent)
        yield fd
    finally:
        os.close(fd)  # closing releases the flock


def check_log(ws) -> None:
    """Raise AuditError if nothing could be appended to WS's log (a torn or damaged end).

    Cheap: reads only the end of the log. The orchestrator calls it at the start
    of a run, so a damaged log stops the run before anything is written.
    """
    tail = read_tail(ws.audit_path)
    if tail.torn_offset is not None:
        raise _torn_error(ws.audit_path, tail)


def _torn_error(path: Path, tail: Tail) -> AuditError:
    return AuditError(
        f"{path}: ends with a torn write ({tail.torn_bytes} bytes at byte {tail.torn_offset} without a newline); "
        f"check with `cohort audit verify`, then remove the fragment with `truncate -s {tail.torn_offset} {path}`"
    )


def append_entry(ws, kind: str, details: dict) -> dict:
    """Append one entry of KIND to WS's audit log; returns the entry as written."""
    return append_entries(ws, [(kind, details)])[0]


def append_entries(ws, items: Iterable[tuple[str, dict]]) -> list[dict]:
    """Append several entries in order under one lock (each its own line and write)."""
    items = [(kind, jsonable(details)) for kind, details in items]
    for kind, _details in items:
        assert kind in KINDS, f"unknown audit entry kind {kind!r}"
    key = _key(ws)
    path = ws.audit_path
    written: list[dict] = []
    with _locked_append(path) as fd:
        tail = read_tail(path)
        if tail.torn_offset is not None:
            raise _torn_error(path, tail)
        last = tail.last
        for kind, details in items:
            last = _write(fd, _next_entry(last, kind, details, key))
            written.append(last)
        if written:
            write_head(ws, written[-1], key)
    return written


def repair_tail(ws) -> int:
    """Cut a torn final line (a crash mid-write; never a whole entry) and log that; bytes cut."""
    path = ws.audit_path
    with _locked_append(path) as fd:
        tail = read_tail(path)
        if tail.torn_offset is None:
            return 0
        os.ftruncate(fd, tail.torn_offset)
        os.fsync(fd)
    append_entry(ws, "repair", {"torn_bytes_removed": tail.torn_bytes, "at_byte": tail.torn_offset})
    return tail.torn_bytes


def _next_entry(last: dict | None, kind: str, details: dict, key: bytes) -> dict:
    entry = {
        "seq": (last["seq"] + 1) if last else 1,
        "time": now().isoformat() + "Z",
        "operator": operator(),
        "kind": kind,
        "details": details,
        "prev_hash": last["hash"] if last else GENESIS,
    }
    entry["hash"] = entry_hash(entry)
    entry["mac"] = entry_mac(key, entry["hash"])
    return entry


def _write(fd: int, entry: dict) -> dict:
    line = (canonical(entry) + "\n").encode("utf-8")
    start = os.lseek(fd, 0, os.SEEK_END)
    try:
        injected_enospc("audit.log")
        if os.write(fd, line) != len(line):
            raise OSError(28, "No space left on device", "audit.log")
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, start)  # never leave half an entry behind
        raise
    return entry
