"""The workspace: state that outlives a run (docs/design/contracts.md).

- ``state.duckdb``: ledger of invitations, deferred patients, do-not-contact
  list, outcomes, committed runs (schema in sql/workspace/schema.sql).
- ``audit.log``: the keyed, hash-chained audit log (pipeline/audit/).
- ``workspace.json``: where the workspace was made (a copied or moved workspace
  never touches run folders outside itself).
- ``journal/``: intents of commands between their commit and their audit entry
  (pipeline/journal.py): the next command finishes or undoes them.
- ``.lock``: an exclusive lock held while a command changes the workspace, so
  two runs at once cannot both invite the same person.
- ``runs/RUN_ID``: run folders. Paths in the state are stored relative to the
  workspace when inside it (``stored``/``resolve``), so a copy finds its own.

A run is built in a hidden staging folder, committed to ``state.duckdb`` in one
transaction, then moved into place. ``recover()`` finishes what a crash
interrupted and removes staging folders of runs that never committed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import getpass
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import WorkspaceError, storage_error
from pipeline.fsutil import PRIVATE_FILE, atomic_write_text, private_dir

STAGE_PREFIX = ".staging-"
IDENTITY = "workspace.json"
OUTSIDE = "|"  # stored folders outside the workspace: |WORKSPACE_ROOT|FOLDER
MARKERS = ("state.duckdb", "audit.log", IDENTITY)


def operator() -> str:
    """The OS user running the command (recorded in audit entries)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return str(os.getuid())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Workspace:
    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def open(cls, root: Path | str, *, create: bool = True) -> Workspace:
        """The workspace at ROOT (made when CREATE); read-only folders open for reading."""
        root = Path(root)
        if not root.exists() and not create:
            raise WorkspaceError(
                f"{root}: no workspace here; give --workspace with the folder runs were made in"
            )
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root}: is a file, not a workspace folder")
        if root.is_dir() and not os.access(root, os.W_OK):
            return cls(root)  # read commands work on a read-only workspace
        ws = cls(private_dir(root))
        private_dir(ws.runs_dir)
        ws._identify()
        return ws

    @classmethod
    def for_run(cls, root: Path | str, *, new: bool) -> Workspace:
        """`cohort run`'s workspace: an existing one, or a new one only when NEW (--new-workspace)."""
        root = Path(root)
        if not new and not (root.is_dir() and any((root / m).exists() for m in MARKERS)):
            raise WorkspaceError(
                f"{root.resolve()}: no workspace here (earlier runs' ledger and audit log live in their "
                "workspace); give --workspace with the folder earlier runs used, or --new-workspace to "
                "start a new one (make: WORKSPACE=DIR NEW_WORKSPACE=1)"
            )
        return cls.open(root)

    @property
    def writable(self) -> bool:
        return os.access(self.root, os.W_OK)

    def _identify(self) -> None:
        """Record where the workspace was made (first open; older workspaces on upgrade)."""
        path = self.root / IDENTITY
        if not path.exists():
            info = {"root": str(self.root.resolve()), "created_at": now().isoformat()}
            atomic_write_text(path, json.dumps(info) + "\n")

    @property
    def made_at(self) -> Path | None:
        """The folder this workspace was made in (None when unknown)."""
        try:
            return Path(json.loads((self.root / IDENTITY).read_text(encoding="utf-8"))["root"])
        except (OSError, ValueError, KeyError):
            return None

    def stored(self, path: Path) -> str:
        """PATH as the state, journal and log store it: relative to the workspace when inside
        it; otherwise ``|ROOT|PATH``, naming the workspace that made it (see resolve)."""
        path = Path(path).resolve()
        root = self.root.resolve()
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return f"{OUTSIDE}{root}{OUTSIDE}{path}"

    def resolve(self, stored: str | Path, *, acting: bool = True) -> Path:
        """A stored folder as a path. ACTING (to change or delete it): a folder outside the
        workspace is refused unless this workspace, where it is now, stored it (a copy or a
        moved workspace never touches the original's run folders)."""
        text = str(stored)
        if text.startswith(OUTSIDE):
            made_by, _, path = text[1:].partition(OUTSIDE)
            return self._outside(Path(path), Path(made_by), acting=acting)
        path = Path(text)
        if not path.is_absolute():
            return self.root / path
        return self._outside(path, self.made_at, acting=acting)  # stored by an older version

    def _outside(self, path: Path, made_by: Path | None, *, acting: bool) -> Path:
        if acting and made_by is not None and made_by != self.root.resolve():
            raise WorkspaceError(
                f"{path}: is outside this workspace, which was copied or moved from {made_by}; "
                "commands act only on folders inside the workspace they run in: use the original "
                "workspace for that run"
            )
        return path

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def state_path(self) -> Path:
        return self.root / "state.duckdb"

    @property
    def audit_path(self) -> Path:
        return self.root / "audit.log"

    @contextlib.contextmanager
    def lock(self, command: str) -> Iterator[None]:
        """Hold the workspace exclusively; a second command gets a clear error."""
        path = self.root / ".lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                holder = _read_holder(path)
                raise WorkspaceError(
                    f"workspace {self.root} is in use by another cohort command{holder}; "
                    "wait for it to finish, then try again"
                ) from None
            os.ftruncate(fd, 0)
            os.write(
                fd,
                json.dumps(
                    {"pid": os.getpid(), "command": command, "since": now().isoformat()}
                ).encode(),
            )
            yield
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def state(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to state.duckdb with its schema in place."""
        if read_only and not self.state_path.exists():
            con = duckdb.connect(":memory:")
            db.script(con, "workspace/schema")
        else:
            con = _connect_state(self.state_path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    def copy_into_run(self, con: duckdb.DuckDBPyConnection, *, study: str) -> None:
        """Copy the ledger's live invitations, the do-not-contact list and the study's GP screening exclusions into a run database."""
        with self.state():
            pass  # make sure the file and schema exist
        con.execute("ATTACH $path AS ws (READ_ONLY)", {"path": str(self.state_path)})
        try:
            db.run(con, "workspace/prior_invitations", study=study)
            db.run(con, "workspace/do_not_contact")
            db.run(con, "workspace/screened_out", study=study)
        finally:
            con.execute("DETACH ws")

    def stage_dir_for(self, out_dir: Path, run_id: str) -> Path:
        return out_dir.parent / f"{STAGE_PREFIX}{out_dir.name}-{run_id}"

    def recover(self) -> list[tuple[str, str]]:
        """Finish or undo what crashed commands left (pipeline/journal.py); call under the lock.

        Returns (run_id, what was done) for each run repaired here; also removes
        staging folders no journal entry accounts for.
        """
        from pipeline import journal
        from pipeline.audit.log import repair_tail

        repair_tail(self)
        with self.state() as con:
            _migrate_paths(con)
        done = journal.recover(self)
        for stage in self.runs_dir.glob(f"{STAGE_PREFIX}*"):
            shutil.rmtree(stage, ignore_errors=True)  # every committed one was published above
        _recover_legacy(self)
        return done

    def try_recover(self) -> list[tuple[str, str]]:
        """recover() if the workspace is writable and no other command holds it (read commands)."""
        if not self.writable or not self.state_path.exists():
            return []
        try:
            with self.lock("recover"):
                return self.recover()
        except WorkspaceError:
            return []  # busy: the command holding it repairs it

    def earlier_invitations(self) -> tuple[int, int]:
        """(invitations ever made here, runs that made them): every run says so at its start."""
        with self.state(read_only=True) as con:
            return con.execute("SELECT count(*), count(DISTINCT run_id) FROM ledger").fetchone()


def _recover_legacy(ws: Workspace) -> None:
    """Releases and reminders an older version (before the commit journal covered them) left
    half-done; staging folders of theirs no journal entry accounts for."""
    from pipeline.invitations.reminders import recover_legacy as reminders
    from pipeline.screening.release import recover_legacy as releases

    releases(ws)
    reminders(ws)


def _migrate_paths(con: duckdb.DuckDBPyConnection) -> None:
    """Older workspaces stored run folders as absolute paths: WS/runs/RUN_ID becomes runs/RUN_ID."""
    con.execute(
        "UPDATE runs SET out_dir = 'runs/' || run_id "
        "WHERE out_dir LIKE '/%' AND (out_dir LIKE '%/runs/' || run_id)"
    )
    con.execute(
        "UPDATE runs SET stage_dir = 'runs/' || regexp_extract(stage_dir, '[^/]+$') "
        "WHERE stage_dir LIKE '/%' AND out_dir = 'runs/' || run_id"
    )


def publish_dir(stage: Path, out: Path) -> None:
    """Move a finished staging folder to OUT in one rename (OUT may exist if empty)."""
    if out.exists():
        out.rmdir()
    os.replace(stage, out)


def _connect_state(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    fresh = not path.exists()
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        storage = storage_error(exc)  # a full disk or a read-only folder, not a busy one
        if storage is not None:
            raise storage from None
        raise WorkspaceError(
            f"{path}: the workspace state is open in another cohort command; wait for it to finish"
        ) from None
    if fresh:
        os.chmod(path, PRIVATE_FILE)
    if not read_only:
        db.script(con, "workspace/schema")
    return con


def _read_holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return ""
    if not info:
        return ""
    return f" ({info.get('command', '?')}, pid {info.get('pid', '?')}, since {info.get('since', '?')} UTC)"
