"""The commit point: a run's files and its ledger rows become visible together, or not at all.

Any command that writes mailable files *and* changes the workspace state
(``cohort run``; ``cohort release`` for a screened run; ``cohort remind``) goes
through one Intent, in four phases:

    intent = journal.begin(ws, kind="run", run_id=..., stage_dir=..., out_dir=...,
                           audit_kind="run", details={"run_id": ..., "study": ...})
    ... write every file into intent's stage folder ...
    with journal.transaction(ws, intent) as con:   # phase 2: the commit point
        ... ledger INSERT/UPDATEs on con ...        # (one DuckDB transaction)
    journal.finish(ws, intent)                      # phase 3+4: publish, audit, forget

1. ``begin`` writes WORKSPACE/journal/KIND-RUN_ID.json (atomically) *before* the
   stage folder exists, so a stage folder anywhere (beside ``--out`` too) is
   known and cleaned up by the next command.
2. ``transaction`` commits the caller's ledger changes and a ``commits`` row
   naming the intent in the same transaction: that row is the one fact that
   says "committed". Before it, the intent is abandoned on recovery (stage
   removed, a ``run_failed`` entry logged); after it, never lost.
3. ``finish`` publishes the stage folder (one rename of the folder; with
   ``merge=True``, each file renamed into the existing folder), calls the kind's
   ``published`` hook, appends the audit entry (``audit_kind``, ``details``
   plus the hashes of the published run record and files) unless the log
   already has it, then deletes the journal file. Every step is idempotent.
   If the folder cannot be published (``--out`` gained a file, was removed or
   taken by another workspace) the kind's ``withdraw`` hook rolls the ledger
   back in one transaction, the run is logged and a ``rollback`` entry says
   why, and the stage is removed: nothing mailable outside a published run
   folder, nobody marked invited without a letter.
4. ``recover(ws)`` (every command that may change the workspace calls it under
   the workspace lock, through ``Workspace.recover``) replays 2-3 for every
   journal file left by a crash, in run order, and says what it did.

Commands that change only the state (outcomes, the do-not-contact list) use
``logged_change``: their rows and the audit entries describing them commit
together the same way (the entries wait in the journal until appended).

``commit_and_finish(ws, intent, apply)`` does phases 2-4 with Ctrl-C held
(``cohort run``'s commit stage, ``cohort release``, ``cohort remind``).

A new kind adds one entry to HOOKS, a module defining ``withdraw(con, intent,
reason) -> int`` (roll its state changes back inside the given transaction;
return how many letters it withdrew), ``published(con, intent) -> None``,
``facts(ws, intent) -> dict`` (what its audit entry says of the published
files), ``withdrawn_entries(intent, withdrawn, reason) -> [(kind, details)]``,
``KEY`` (the details field holding ``intent.run_id``, so an entry is appended
once) and ``FAILED`` (the entry kind logged for an intent abandoned before its
commit).
Test-only fault points: ``fault("name")`` exits the process at once when
COHORT_FAULT=name (tests/faults kills runs there).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from pipeline.errors import WorkspaceError
from pipeline.fsutil import atomic_write_text, fsync_dir, private_dir
from pipeline.workspace import now

log = logging.getLogger(__name__)

JOURNAL_DIR = "journal"
# kind -> module defining the hooks (see above)
HOOKS = {
    "run": "pipeline.invitations.rollback",
    "release": "pipeline.screening.release",
    "reminder": "pipeline.invitations.reminders",
}


def fault(point: str) -> None:
    """Test-only: end the process here, as a kill would, when COHORT_FAULT names POINT."""
    if os.environ.get("COHORT_FAULT") == point:
        os._exit(86)


@dataclass(frozen=True)
class Intent:
    """What a command is about to make visible (paths as stored: relative to the workspace)."""

    kind: str
    run_id: str
    stage: str
    out: str
    audit_kind: str
    details: dict = field(default_factory=dict)
    merge: bool = False

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.run_id}"

    def stage_dir(self, ws) -> Path:
        return ws.resolve(self.stage)

    def out_dir(self, ws) -> Path:
        return ws.resolve(self.out)


@dataclass(frozen=True)
class Finished:
    """What finish() did: published, or withdrawn (and why)."""

    intent: Intent
    published: bool
    withdrawn: int = 0
    reason: str = ""


class PublishBlocked(WorkspaceError):
    """The run folder cannot be put in place; the ledger was rolled back (nothing lost)."""


def _path(ws, name: str) -> Path:
    return ws.root / JOURNAL_DIR / f"{name}.json"


def save(ws, intent: Intent) -> Intent:
    """Write INTENT's journal file (atomically); call again after changing its details."""
    private_dir(ws.root / JOURNAL_DIR)
    atomic_write_text(_path(ws, intent.name), json.dumps(asdict(intent), default=str))
    return intent


def begin(
    ws,
    *,
    kind: str,
    run_id: str,
    stage_dir: Path,
    out_dir: Path,
    audit_kind: str,
    details: dict | None = None,
    merge: bool = False,
) -> Intent:
    """Record the intent, then create its (owner-only) stage folder."""
    assert kind in HOOKS, f"journal kind {kind!r} has no hooks"
    intent = Intent(
        kind=kind,
        run_id=run_id,
        stage=ws.stored(stage_dir),
        out=ws.stored(out_dir),
        audit_kind=audit_kind,
        details=dict(details or {}),
        merge=merge,
    )
    save(ws, intent)
    private_dir(stage_dir)
    return intent


def with_details(ws, intent: Intent, **details) -> Intent:
    """INTENT with DETAILS added to what its audit entry will say (saved)."""
    return save(ws, replace(intent, details={**intent.details, **details}))


def pending(ws) -> list[Intent]:
    """Every intent a command left behind, oldest run first."""
    folder = ws.root / JOURNAL_DIR
    if not folder.is_dir():
        return []
    intents = []
    for path in sorted(folder.glob("*.json")):
        try:
            intents.append(Intent(**json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, TypeError):
            raise WorkspaceError(
                f"{path}: the commit journal is damaged; run `cohort audit verify`, then restore "
                "the workspace from backup"
            ) from None
    return sorted(intents, key=lambda i: (i.run_id, i.kind))


def forget(ws, intent: Intent) -> None:
    _path(ws, intent.name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        fsync_dir(ws.root / JOURNAL_DIR)


@contextlib.contextmanager
def transaction(ws, intent: Intent) -> Iterator:
    """The commit point: the caller's ledger changes and the intent's commit row, in one transaction."""
    fault("before_commit")
    with ws.state() as con:
        con.begin()
        try:
            yield con
            con.execute(
                "INSERT INTO commits (intent, kind, run_id, committed_at) "
                "VALUES ($i, $k, $r, current_timestamp::TIMESTAMP)",
                {"i": intent.name, "k": intent.kind, "r": intent.run_id},
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    fault("after_commit")


def committed(ws, intent: Intent) -> bool:
    with ws.state(read_only=True) as con:
        row = con.execute("SELECT count(*) FROM commits WHERE intent = $i", {"i": intent.name})
        return row.fetchone()[0] > 0


def _hooks(intent: Intent):
    return importlib.import_module(HOOKS[intent.kind])


def finish(ws, intent: Intent) -> Finished:
    """Publish a committed intent, log it and forget it; withdraw it if it cannot be published."""
    try:
        publish(ws, intent)
    except PublishBlocked as exc:
        return _withdraw(ws, intent, reason=exc.message)
    fault("after_publish")
    with ws.state() as con:
        _hooks(intent).published(con, intent)
    _log_once(ws, intent.audit_kind, intent, {**intent.details, **_hooks(intent).facts(ws, intent)})
    fault("after_audit")
    forget(ws, intent)
    return Finished(intent, published=True)


def publish(ws, intent: Intent) -> None:
    """Put the stage folder's files in place (idempotent); PublishBlocked when it cannot be."""
    stage, out = intent.stage_dir(ws), intent.out_dir(ws)
    if not stage.exists():
        if out.is_dir():
            return  # done before a crash
        raise PublishBlocked(f"{out}: the run folder and its staging folder are both gone")
    if not out.parent.is_dir():
        raise PublishBlocked(f"{out.parent}: the folder --out was in was removed during the run")
    if intent.merge:
        _merge(stage, out, what=intent.kind)
        return
    _rename_into_place(stage, out, what=intent.kind)


def _rename_into_place(stage: Path, out: Path, *, what: str) -> None:
    if out.is_dir():
        extra = next(iter(sorted(out.iterdir())), None)
        if extra is not None:
            raise PublishBlocked(
                f"--out {out} gained files while the {what} was working (e.g. {extra.name})"
            )
        out.rmdir()
    elif out.exists():
        raise PublishBlocked(f"--out {out} became a file while the {what} was working")
    try:
        os.replace(stage, out)
    except OSError as exc:
        raise PublishBlocked(f"--out {out}: could not be put in place ({exc.strerror})") from None
    fsync_dir(out.parent)


def _merge(stage: Path, out: Path, *, what: str) -> None:
    """Move each file of STAGE into OUT (a release adds files to an existing run folder);
    PublishBlocked, before any is moved, if OUT already has one of them. A crash part-way
    leaves only files not yet moved in STAGE, so finishing it later is checked the same way."""
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    taken = next((p for p in files if (out / p.relative_to(stage)).exists()), None)
    if taken is not None:
        raise PublishBlocked(
            f"{out} gained {taken.relative_to(stage).as_posix()} while the {what} was working"
        )
    for path in files:
        target = out / path.relative_to(stage)
        private_dir(target.parent)
        os.replace(path, target)
    shutil.rmtree(stage)
    fsync_dir(out)


def _withdraw(ws, intent: Intent, *, reason: str) -> Finished:
    with ws.state() as con:
        con.begin()
        try:
            withdrawn = _hooks(intent).withdraw(con, intent, reason)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    for kind, details in _hooks(intent).withdrawn_entries(intent, withdrawn, reason):
        _log_once(ws, kind, intent, details)
    discard(ws, intent)
    return Finished(intent, published=False, withdrawn=withdrawn, reason=reason)


def discard(ws, intent: Intent) -> None:
    """Remove INTENT's stage folder (nothing mailable may stay outside a run folder) and forget it."""
    shutil.rmtree(intent.stage_dir(ws), ignore_errors=True)
    forget(ws, intent)


def commit_and_finish(ws, intent: Intent, apply) -> Finished:
    """Phases 2-4 with Ctrl-C and SIGTERM held until they are done: APPLY(con) makes the
    state changes inside the commit transaction, then the files are published and logged.
    A failure before the commit discards the intent (its stage removed, nothing changed);
    after it, the next command finishes it."""
    from pipeline.fsutil import signals_deferred

    with signals_deferred() as received:
        try:
            with transaction(ws, intent) as con:
                apply(con)
        except BaseException:
            if not committed(ws, intent):
                discard(ws, intent)
            raise
        done = finish(ws, intent)
    if received:
        log.warning(
            "interrupted while committing: the %s was finished first, so nothing is half-done",
            intent.kind,
        )
    return done


def _log_once(ws, kind: str, intent: Intent, details: dict) -> None:
    """Append KIND for INTENT unless a crash came after it was appended."""
    from pipeline.audit.log import append_entry, has_entry

    key = getattr(_hooks(intent), "KEY", "run_id")
    if not has_entry(ws.audit_path, kind=kind, run_id=intent.run_id, field=key):
        append_entry(ws, kind, details)


@contextlib.contextmanager
def logged_change(ws, name: str) -> Iterator[tuple[object, list]]:
    """State changes and the audit entries that describe them, visible together.

        with journal.logged_change(ws, "outcome") as (con, entries):
            con.execute(...)                      # inside one transaction
            entries.append(("outcome", {...}))    # appended once it commits

    The entries are saved in the journal before the commit; the next command
    appends any a crash kept from the log (each carries ``change``: its id).
    """
    change = f"{name}-{now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    entries: list = []
    with ws.state() as con:
        con.begin()
        try:
            yield con, entries
            intent = Intent(kind="entries", run_id=change, stage="", out="", audit_kind="",
                            details={"entries": [[k, {**d, "change": change}] for k, d in entries]})  # fmt: skip
            save(ws, intent)
            con.execute(
                "INSERT INTO commits (intent, kind, run_id, committed_at) "
                "VALUES ($i, 'entries', $r, current_timestamp::TIMESTAMP)",
                {"i": intent.name, "r": change},
            )
            con.commit()
        except BaseException:
            con.rollback()
            forget(ws, Intent(kind="entries", run_id=change, stage="", out="", audit_kind=""))
            raise
    fault("after_change_commit")
    _append_entries(ws, intent)


def _append_entries(ws, intent: Intent) -> None:
    from pipeline.audit.log import append_entries, read_entries

    done = {e["details"].get("change") for e in read_entries(ws.audit_path)}
    todo = [(k, d) for k, d in intent.details["entries"] if d.get("change") not in done]
    if todo:
        append_entries(ws, todo)
    forget(ws, intent)


def recover(ws) -> list[tuple[str, str]]:
    """Finish or undo what crashed commands left; (run_id, what was done) for each."""
    said = []
    for intent in [i for i in pending(ws) if i.kind == "entries"]:
        if committed(ws, intent):
            _append_entries(ws, intent)
            said.append((intent, "its audit entries were appended after an interruption"))
        else:
            forget(ws, intent)
    for intent in [i for i in pending(ws) if i.kind != "entries"] + _legacy(ws):
        if intent.kind == "legacy" or committed(ws, intent):
            if intent.kind == "legacy":
                intent = replace(intent, kind="run")
            done = finish(ws, intent)
            said.append((intent, (
                "finished publishing after an interruption" if done.published
                else f"could not be published ({done.reason}); its {done.withdrawn} invitation(s) "
                "were withdrawn"
            )))  # fmt: skip
        else:
            discard(ws, intent)
            _log_once(ws, _hooks(intent).FAILED, intent, {
                **intent.details, "status": "failed", "reason": "interrupted before the commit",
            })  # fmt: skip
            said.append((intent, "interrupted before the commit; its staging folder removed"))
    for intent, what in said:
        log.warning("%s %s: %s", intent.kind, intent.run_id, what)
    return [(intent.run_id, what) for intent, what in said]


def _legacy(ws) -> list[Intent]:
    """Runs committed with no journal entry (an older version, or a crash before begin() existed)."""
    names = {i.run_id for i in pending(ws)}
    with ws.state(read_only=True) as con:
        rows = con.execute(
            "SELECT run_id, study, stage_dir, out_dir FROM runs WHERE status = 'committed' ORDER BY run_id"
        ).fetchall()
    return [
        Intent(kind="legacy", run_id=run_id, stage=stage, out=out, audit_kind="run",
               details={"run_id": run_id, "study": study, "status": "published", "recovered": True})
        for run_id, study, stage, out in rows if run_id not in names
    ]  # fmt: skip
