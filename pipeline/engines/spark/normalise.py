"""The DuckDB loader's normalising SELECTs (sql/load/insert_*.sql), as Spark SQL.

Nothing is restated here: each table's SELECT list (cells trimmed, NHS numbers
and postcodes normalised, dates parsed, the row's load_problems flags) is parsed
from the DuckDB loader's own file, the loader's macros (sql/load/macros.sql) are
expanded into it, and sqlglot writes it as Spark SQL. Two DuckDB functions that
sqlglot passes through unchanged are rewritten first: ``try_strptime`` becomes
Spark's ``try_to_timestamp`` (the strptime format as a Java pattern that, like
DuckDB's, takes one- or two-digit days and months and refuses trailing text), and
``regexp_full_match`` becomes an anchored ``RLIKE``. The only column the Spark
SELECT does not take from the file is practice_code, which comes from the file's
practice instead of DuckDB's file_index.
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp

from pipeline import db
from pipeline.engines.transpile import expand_macros

# strptime directives -> Java DateTimeFormatter letters (parsing: 1-2 digits, 4-digit year).
STRPTIME = {"%Y": "yyyy", "%m": "M", "%d": "d", "%H": "H", "%M": "m", "%S": "s"}


def java_pattern(strptime_format: str) -> str:
    out = strptime_format
    for directive, letters in STRPTIME.items():
        out = out.replace(directive, letters)
    if "%" in out:
        raise ValueError(f"no Spark pattern for strptime format {strptime_format!r}")
    return out


def _spark_functions(node: exp.Expression) -> exp.Expression:
    """DuckDB functions sqlglot writes through unchanged, as their Spark equivalents."""
    if isinstance(node, exp.RegexpFullMatch):
        anchored = exp.Literal.string(f"^(?:{node.expression.name})$")
        return exp.RegexpLike(this=node.this, expression=anchored)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "try_strptime":
        value, fmt = node.expressions
        pattern = exp.Literal.string(java_pattern(fmt.name))
        return exp.Anonymous(this="try_to_timestamp", expressions=[value, pattern])
    return node


def _select(table: str) -> exp.Select:
    insert = sqlglot.parse_one(db.sql_text(f"load/insert_{table}"), read="duckdb")
    select = insert.expression
    assert isinstance(select, exp.Select), f"load/insert_{table}.sql is not INSERT ... SELECT"
    first = select.expressions[0]
    assert first.alias == "practice_code", f"load/insert_{table}.sql: practice_code first"
    select.expressions[0] = exp.column("practice_code")
    return select


@functools.cache
def projections(table: str) -> str:
    """TABLE's normalising SELECT list, as Spark SQL over a source with the contract's
    column names (text) and practice_code."""
    items = [
        e.transform(expand_macros).transform(_spark_functions) for e in _select(table).expressions
    ]
    for placeholder in (p for e in items for p in e.find_all(exp.Placeholder)):
        raise ValueError(f"load/insert_{table}.sql: unexpected parameter {placeholder.sql()}")
    return ",\n    ".join(e.sql(dialect="spark") for e in items)


@functools.cache
def columns(table: str) -> tuple[str, ...]:
    """The loaded table's columns (sql/load/tables.sql's, practice_code first)."""
    names = [e.alias_or_name for e in _select(table).expressions]
    return tuple(n for n in names if n != "load_problems")
