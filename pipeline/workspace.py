"""The workspace: state that outlives a run (docs/design/contracts.md).

- ``state.duckdb``: ledger of invitations, deferred patients, do-not-contact
  list, outcomes, committed runs (schema in sql/workspace/schema.sql).
- ``audit.log``: the hash-chained audit log (pipeline/audit/).
- ``.lock``: an exclusive lock held while a command changes the workspace, so
  two runs at once cannot both invite the same person.
- ``runs/RUN_ID``: run folders.

A run is built in a hidden staging folder, committed to ``state.duckdb`` in one
transaction, then moved into place. ``recover()`` finishes a move a crash
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
from pipeline.errors import WorkspaceError
from pipeline.fsutil import PRIVATE_FILE, private_dir

STAGE_PREFIX = ".staging-"


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
        root = Path(root)
        if not root.exists() and not create:
            raise WorkspaceError(
                f"{root}: no workspace here; give --workspace with the folder runs were made in"
            )
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root}: is a file, not a workspace folder")
        ws = cls(private_dir(root))
        private_dir(ws.runs_dir)
        return ws

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

    def recover(self) -> list[tuple[str, str, Path]]:
        """Finish moves that a crash interrupted; drop staging folders of runs that never committed.

        Returns (run_id, study, out_dir) of each run whose publication was finished here.
        """
        done: list[tuple[str, str, Path]] = []
        with self.state() as con:
            rows = con.execute(
                "SELECT run_id, study, stage_dir, out_dir FROM runs WHERE status = 'committed' ORDER BY run_id"
            ).fetchall()
            for run_id, study, stage, out in rows:
                if Path(stage).exists():
                    publish_dir(Path(stage), Path(out))
                con.execute("UPDATE runs SET status = 'published' WHERE run_id = $r", {"r": run_id})
                done.append((run_id, study, Path(out)))
            known = {r[0] for r in con.execute("SELECT stage_dir FROM runs").fetchall()}
        for stage in self.runs_dir.glob(f"{STAGE_PREFIX}*"):
            if str(stage) not in known:
                shutil.rmtree(stage, ignore_errors=True)
        return done


def publish_dir(stage: Path, out: Path) -> None:
    """Move a finished staging folder to OUT in one rename (OUT may exist if empty)."""
    if out.exists():
        out.rmdir()
    os.replace(stage, out)


def _connect_state(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    fresh = not path.exists()
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException:
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
