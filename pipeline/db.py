"""DuckDB connections and the SQL files in sql/.

SQL text lives only in sql/*.sql. Python reads a file by name and binds values
as named parameters ($name); it never pastes values into SQL.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb

from pipeline.paths import SQL_DIR


@functools.cache
def sql_text(name: str) -> str:
    """The text of sql/NAME.sql (e.g. ``load/macros``)."""
    path = SQL_DIR / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def connect(
    path: Path | str = ":memory:",
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database with the project's macros loaded.

    THREADS and MEMORY_LIMIT (a size such as ``8GB`` or ``75%``, see MEMORY_SIZE)
    set DuckDB's ``threads`` and ``memory_limit``; None keeps DuckDB's defaults
    (one thread per core, 80% of the machine's memory). Beyond the limit DuckDB
    spills joins, aggregates and sorts to a ``.tmp`` folder beside a database file.
    """
    con = duckdb.connect(str(path))
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    con.execute("SET preserve_insertion_order = true")
    con.execute(sql_text("load/macros"))
    return con


# What DuckDB's memory_limit accepts and the CLI passes on: a number and a unit, or a percentage.
MEMORY_SIZE = re.compile(r"\s*\d+(\.\d+)?\s*([KMGT]i?B|B|%)\s*", re.IGNORECASE)


def settings(con: duckdb.DuckDBPyConnection) -> dict:
    """The connection's effective ``threads`` and ``memory_limit`` (as DuckDB prints it)."""
    threads, memory = con.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')"
    ).fetchone()
    return {"threads": int(threads), "memory_limit": memory}


def run(con: duckdb.DuckDBPyConnection, name: str, **params):
    """Execute sql/NAME.sql with named parameters and return the cursor."""
    text = sql_text(name)
    names = parameter_names(text)
    used = {k: v for k, v in params.items() if k in names}
    return con.execute(text, used) if used else con.execute(text)


@functools.cache
def parameter_names(text: str) -> frozenset[str]:
    """The $name parameters a SQL text uses outside its -- comments."""
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    return frozenset(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", code))


def script(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Execute every statement of sql/NAME.sql (no parameters)."""
    con.execute(sql_text(name))


def quote_ident(name: str) -> str:
    """Quote an identifier taken from a file header (already matched to a fixed list)."""
    return '"' + name.replace('"', '""') + '"'
