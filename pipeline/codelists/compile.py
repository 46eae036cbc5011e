"""Codelist versions -> the run database's ``codelist_codes`` table.

The definitions, code tables and hierarchies are loaded as table rows (polars
frames registered with DuckDB, never pasted into SQL); sql/codelists/*.sql then
expands them, prefix rules against the codes actually seen in ``events`` and
``medications``, into one row per concrete code. The study joins its records to
``codelist_codes`` on (coding_system, code): an equality (hash) join.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from pipeline import db
from pipeline.codelists.codes import EVENT_SYSTEMS, MEDICATION_SYSTEMS, prefix
from pipeline.codelists.expand import hierarchy_closure
from pipeline.codelists.model import CodelistVersion, Entry

# The SQL files, in the order they run; codelist_sql() prints them in this order.
SQL_FILES = (
    "codelists/inputs",
    "codelists/seen_events",
    "codelists/seen_medications",
    "codelists/codes",
)
# Source table -> (seen-codes file, coding systems it can hold).
SEEN = {
    "events": ("codelists/seen_events", EVENT_SYSTEMS),
    "medications": ("codelists/seen_medications", MEDICATION_SYSTEMS),
}
KEY = {"codelist": pl.String, "version": pl.String, "coding_system": pl.String}
DEFINITION_SCHEMA = {
    **KEY, "code": pl.String, "prefix": pl.String, "descendants": pl.Boolean,
    "excluded": pl.Boolean, "category": pl.String, "term": pl.String,
}  # fmt: skip
CODE_TABLE_SCHEMA = {**KEY, "code": pl.String, "term": pl.String}
HIERARCHY_SCHEMA = {**KEY, "ancestor": pl.String, "descendant": pl.String, "depth": pl.Int32}


def codelist_sql() -> str:
    """The whole SQL text of the codelist stage (deterministic: the files, in order)."""
    return "\n".join(f"-- sql/{name}.sql\n{db.sql_text(name).rstrip()}\n" for name in SQL_FILES)


def build_codelist_table(
    con: duckdb.DuckDBPyConnection, versions: Iterable[CodelistVersion], *, seen_codes=None
) -> int:
    """Create ``codelist_codes`` (and ``codelist_definitions``) for VERSIONS; return its row count.

    SEEN_CODES(table, systems) gives the distinct (coding_system, code) of TABLE's
    records in SYSTEMS as an Arrow table, when the records are not in CON (the Spark
    engine); by default they are read from CON's events and medications."""
    chosen = unique_versions(versions)
    frames = {
        "codelist_definition_rows": definitions_frame(chosen),
        "codelist_code_table_rows": code_table_frame(chosen),
        "codelist_hierarchy_rows": hierarchy_frame(chosen),
    }
    for name, frame in frames.items():
        con.register(name, frame.to_arrow())
    try:
        db.script(con, "codelists/inputs")
        _load_seen_codes(con, frames["codelist_definition_rows"], seen_codes)
        db.script(con, "codelists/codes")
    finally:
        for name in frames:
            con.unregister(name)
    return con.execute("SELECT count(*) FROM codelist_codes").fetchall()[0][0]


def unique_versions(versions: Iterable[CodelistVersion]) -> list[CodelistVersion]:
    """Each (name, version) once, sorted, so the same inputs give the same rows."""
    by_label = {(v.name, v.version): v for v in versions}
    return [by_label[label] for label in sorted(by_label)]


def _load_seen_codes(
    con: duckdb.DuckDBPyConnection, definitions: pl.DataFrame, seen_codes=None
) -> None:
    """Distinct codes of the run's events / medications in systems that some prefix rule uses."""
    wanted = set(definitions.filter(pl.col("prefix").is_not_null())["coding_system"].to_list())
    for table, (sql_name, systems) in SEEN.items():
        used = sorted(wanted & set(systems))
        if used and seen_codes is not None:
            con.register("seen_elsewhere", seen_codes(table, used))
            try:
                con.execute(
                    "INSERT INTO codelist_seen_codes SELECT coding_system, code FROM seen_elsewhere"
                )
            finally:
                con.unregister("seen_elsewhere")
        elif used and db.run(con, "codelists/table_exists", table_name=table).fetchall()[0][0]:
            db.run(con, sql_name, systems=used)


def definitions_frame(versions: list[CodelistVersion]) -> pl.DataFrame:
    rows = [
        _definition_row(v, e, excluded)
        for v in versions
        for excluded, entries in ((False, v.entries), (True, v.excludes))
        for e in entries
    ]
    return _frame(rows, DEFINITION_SCHEMA, ["codelist", "version", "coding_system", "code"])


def _definition_row(v: CodelistVersion, e: Entry, excluded: bool) -> dict:
    return {
        "codelist": v.name, "version": v.version, "coding_system": e.coding_system, "code": e.code,
        "prefix": prefix(e.coding_system, e.code) if e.descendants and e.positional else None,
        "descendants": e.descendants, "excluded": excluded, "category": e.category, "term": e.term,
    }  # fmt: skip


def code_table_frame(versions: list[CodelistVersion]) -> pl.DataFrame:
    rows = [
        {
            "codelist": v.name,
            "version": v.version,
            "coding_system": k.coding_system,
            "code": k.code,
            "term": k.term,
        }
        for v in versions
        for k in v.code_table
    ]
    return _frame(rows, CODE_TABLE_SCHEMA, ["codelist", "version", "coding_system", "code"])


def hierarchy_frame(versions: list[CodelistVersion]) -> pl.DataFrame:
    """The transitive closure below each entry asking for hierarchy descendants."""
    rows = []
    for v in versions:
        closure = hierarchy_closure(v.hierarchy)
        for e in v.entries + v.excludes:
            for code, depth in sorted(closure.get(e.key, {}).items()) if e.descendants else ():
                rows.append({"codelist": v.name, "version": v.version, "coding_system": e.coding_system,
                             "ancestor": e.code, "descendant": code, "depth": depth})  # fmt: skip
    return _frame(
        rows, HIERARCHY_SCHEMA, ["codelist", "version", "coding_system", "ancestor", "descendant"]
    )


def _frame(rows: list[dict], schema: dict, order: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row").unique(maintain_order=True).sort(order)
