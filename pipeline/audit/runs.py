"""The runs of a workspace, as the audit commands see them, and their stored files.

A run is known from the workspace state (``runs``: every run that committed)
and from the audit log (``run_failed`` entries of runs that stopped at a
blocking validation but kept their folder). Run databases are always opened
read-only: explaining or reporting never changes what a run stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.audit.log import read_entries
from pipeline.errors import UsageError, WorkspaceError

RECORD_NAME = "run_record.json"
RUN_DB = "run.duckdb"


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    study: str
    status: str  # published | committed | rolled_back | failed_validation
    started_at: str
    out_dir: Path

    @property
    def db_path(self) -> Path:
        return self.out_dir / RUN_DB

    @property
    def record_path(self) -> Path:
        return self.out_dir / RECORD_NAME

    def record(self) -> dict:
        """The run record, or {} when the folder no longer has one."""
        try:
            return json.loads(self.record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


def resolve_dir(ws, stored: str) -> Path:
    """A folder as stored in the state or the log (Workspace.resolve; reading only)."""
    return ws.resolve(stored, acting=False)


def stored_dir(ws, path: Path) -> str:
    """How a run folder is written into the log: relative to the workspace when inside it."""
    return ws.stored(path)


def list_runs(
    ws, *, run_id: str | None = None, con: duckdb.DuckDBPyConnection | None = None
) -> list[RunInfo]:
    """Every run of WS, oldest first (only RUN_ID when given; UsageError if unknown).

    A run's folder is taken from its audit entry when it has one (stored relative
    to the workspace, so a workspace moved as a whole still finds its runs), else
    from the workspace state.
    """
    entries = read_entries(ws.audit_path)
    runs = {r.run_id: r for r in _failed_runs(ws, entries)}
    logged = {
        e["details"]["run_id"]: e["details"]["out_dir"]
        for e in entries
        if e["kind"] == "run" and e["details"].get("run_id") and e["details"].get("out_dir")
    }
    with ws.state(read_only=True) as con:
        for row in db.run(con, "audit/runs").fetchall():
            runs[row[0]] = RunInfo(
                row[0], row[1], row[2], _iso(row[3]), resolve_dir(ws, logged.get(row[0], row[4]))
            )
    found = sorted(runs.values(), key=lambda r: (r.started_at, r.run_id))
    if run_id is None:
        return found
    chosen = [r for r in found if r.run_id == run_id]
    if not chosen:
        raise UsageError(
            f"--run {run_id}: no such run in workspace {ws.root}; the run ids are the folder names in {ws.runs_dir}"
        )
    return chosen


def _state_runs(ws, con) -> list[tuple]:
    """run_id, study, status, started_at, out_dir of every committed run (CON: an open state connection)."""
    if con is not None:
        return db.run(con, "audit/runs").fetchall()
    with ws.state(read_only=True) as own:
        return db.run(own, "audit/runs").fetchall()


def _failed_runs(ws, entries: list[dict]) -> list[RunInfo]:
    runs = []
    for entry in entries:
        d = entry["details"]
        if entry["kind"] == "run_failed" and d.get("out_dir") and d.get("run_id"):
            runs.append(
                RunInfo(
                    d["run_id"],
                    d.get("study", ""),
                    d.get("status") or "failed",
                    d.get("started_at", entry["time"]),
                    resolve_dir(ws, d["out_dir"]),
                )
            )
    return runs


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else str(value)


@contextlib.contextmanager
def open_run_db(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a run database (with the project's temp macros)."""
    if not path.exists():
        raise WorkspaceError(
            f"{path}: the run database is missing; the run folder was moved or deleted"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WorkspaceError(
            f"{path}: cannot be opened ({str(exc).splitlines()[0][:120]})"
        ) from None
    try:
        con.execute(db.sql_text("load/macros"))
        yield con
    finally:
        con.close()


def tables(con: duckdb.DuckDBPyConnection, *, catalog: str | None = None) -> frozenset[str]:
    """The tables of a run database (older runs may lack a table a newer version keeps)."""
    if catalog is None:
        catalog = con.execute("SELECT current_database()").fetchone()[0]
    return frozenset(r[0] for r in db.run(con, "audit/tables", catalog=catalog).fetchall())


def has_table(con: duckdb.DuckDBPyConnection, name: str, *, catalog: str | None = None) -> bool:
    return name in tables(con, catalog=catalog)
