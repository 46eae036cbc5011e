"""The compiled study (DuckDB SQL) as another engine's SQL, with sqlglot.

`cohort sql --dialect spark` prints spark_script(); the Spark engine runs
spark_plan(): the same statements, the same text.

Every statement of pipeline.study.compile.compile_study is prepared for an
engine that knows neither DuckDB's macros nor its table kinds:

- each call of a loader macro (sql/load/macros.sql: cf_text, cf_nhs, ...) is
  replaced by the macro's body with its arguments substituted;
- bound $parameters stay parameters (`:name`, bound by Spark's
  `spark.sql(sql, args=...)`: strings, numbers, booleans and lists all bind), or,
  with inline=True (Trino, the benchmark scripts), become literals;
- for Spark: `CREATE [OR REPLACE] [TEMP] TABLE x AS q` becomes the query q,
  which the engine materialises (a local checkpoint) and registers as the
  temporary view x (EngineStatement.creates): Spark's built-in catalog has no
  CREATE OR REPLACE TABLE, and a view defined by SQL text (CREATE VIEW, CACHE
  TABLE) is parsed and analysed again, whole, wherever it is read: the study's
  attrition reads population, which reads study_records eleven times, and that
  plan ran a 1 GB driver out of memory. `DROP TABLE` becomes `DROP VIEW`; a cast
  to JSON (DuckDB's JSON[] for the study definition's lists) becomes STRING,
  which Spark's from_json fills with each element's JSON text;

then transpiled with ErrorLevel.RAISE, so anything sqlglot cannot express in the
target dialect fails loudly. UNION ... BY NAME, which sqlglot writes unchanged
into Spark SQL and Trino (where it is a syntax error), is refused here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from pipeline import db
from pipeline.study.compile import CompiledStudy, Statement

DIALECTS = ("spark", "trino")
MACRO = re.compile(
    r"CREATE OR REPLACE TEMP MACRO (\w+)\(([^)]*)\) AS (.*?);\s*$", re.S | re.M | re.I
)


class TranspileError(Exception):
    """A compiled statement has no form in the target dialect (a bug to fix in this module)."""


@dataclass(frozen=True)
class EngineStatement:
    """One statement for the target engine, from compiled statement ORIGIN.

    CREATES: the view it leaves (None: it reads or drops only); DROPS: the view it drops.
    """

    origin: str
    sql: str
    params: tuple[str, ...] = ()
    creates: str | None = None
    drops: str | None = None

    def bound(self, values: dict) -> dict:
        return {name: values[name] for name in self.params}


@functools.cache
def macros() -> dict[str, tuple[list[str], exp.Expression]]:
    """The loader's scalar macros: name -> (argument names, body)."""
    found = {}
    for name, args, body in MACRO.findall(db.sql_text("load/macros")):
        found[name.lower()] = (
            [a.strip() for a in args.split(",")],
            sqlglot.parse_one(body, read="duckdb"),
        )
    return found


def literal(value) -> exp.Expression:
    """A bound value as a SQL literal (lists as arrays)."""
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _expand(node: exp.Expression, defs: dict) -> exp.Expression:
    name = node.name.lower() if isinstance(node, exp.Anonymous) else None
    if name not in defs:
        return node
    params, body = defs[name]
    bound = dict(zip(params, node.expressions, strict=True))

    def put(inner):
        if isinstance(inner, exp.Column) and not inner.table and inner.name in bound:
            return bound[inner.name].copy()
        return inner

    return body.copy().transform(put).transform(lambda n: _expand(n, defs))


def expand_macros(node: exp.Expression) -> exp.Expression:
    """NODE with every call of a loader macro (sql/load/macros.sql) replaced by its body."""
    return _expand(node, macros())


def prepare(sql: str, params: dict, *, inline: bool = False) -> list[exp.Expression]:
    """SQL's statements (still DuckDB) with macros expanded and, if INLINE, parameters as literals."""
    defs = macros()

    def rewrite(node):
        if inline and isinstance(node, exp.Placeholder) and node.name in params:
            return literal(params[node.name])
        return _expand(node, defs)

    return [tree.transform(rewrite) for tree in sqlglot.parse(sql, read="duckdb") if tree]


def by_name_unions(statement: exp.Expression) -> int:
    """UNION [ALL] BY NAME: DuckDB-only; sqlglot 30.30 passes it through to Spark and Trino."""
    return sum(1 for u in statement.find_all(exp.Union) if u.args.get("by_name"))


def transpile(statement: exp.Expression, dialect: str, *, pretty: bool = True) -> str:
    """STATEMENT (a prepared DuckDB tree) as DIALECT's SQL; TranspileError if it has none."""
    if n := by_name_unions(statement):
        raise TranspileError(
            f"{n} UNION ... BY NAME (no {dialect} equivalent without column lists)"
        )
    try:
        return statement.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE, pretty=pretty)
    except sqlglot.errors.SqlglotError as exc:
        raise TranspileError(str(exc).splitlines()[0]) from exc


def spark_plan(compiled: CompiledStudy) -> tuple[EngineStatement, ...]:
    """The statements the Spark engine runs for COMPILED, in order, with their parameters."""
    return tuple(step for s in compiled.statements for step in spark_statements(s, compiled.params))


def spark_statements(statement: Statement, params: dict) -> list[EngineStatement]:
    """One compiled statement as the Spark statements that stand for it."""
    return [
        step
        for tree in prepare(statement.sql, params)
        for step in _spark_statements(statement.name, tree)
    ]


def spark_query(sql: str) -> EngineStatement:
    """A read-only DuckDB query of sql/ (e.g. a check) as one Spark statement."""
    (tree,) = prepare(sql, {})
    return _spark_statement("query", _for_spark(tree))


def _spark_statements(origin: str, tree: exp.Expression) -> list[EngineStatement]:
    tree = _for_spark(tree)
    if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE":
        name = tree.this.name if isinstance(tree.this, exp.Table) else tree.this.this.name
        query = tree.expression
        if not isinstance(query, exp.Query):
            raise TranspileError(
                f"{origin}: CREATE TABLE {name} without AS SELECT has no Spark form"
            )
        return [_spark_statement(origin, query, creates=name)]
    if isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() in ("TABLE", "VIEW"):
        return [
            _spark_statement(origin, _drop_view(t.name), drops=t.name)
            for t in tree.args.get("tables") or []
        ]
    if isinstance(tree, exp.Query):
        return [_spark_statement(origin, tree)]
    raise TranspileError(f"{origin}: a {tree.key.upper()} statement has no Spark form here")


def _drop_view(name: str) -> exp.Drop:
    return exp.Drop(tables=[exp.to_table(name)], kind="VIEW", exists=True)


def _for_spark(tree: exp.Expression) -> exp.Expression:
    """DuckDB forms sqlglot leaves alone that Spark lacks.

    Spark has no JSON type: a cast to JSON (or JSON[]) becomes one to STRING
    (ARRAY<STRING>). DuckDB's list_position(list, x) is 1-based and NULL when x
    is absent; Spark's array_position gives 0 then, so it is wrapped in NULLIF(.., 0).
    """

    def rewrite(node):
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.JSON:
            return exp.DataType.build("STRING", dialect="spark")
        if isinstance(node, exp.Anonymous) and node.name.lower() in (
            "list_position",
            "list_indexof",
        ):
            array, item = node.expressions
            position = exp.ArrayPosition(this=array, expression=item)
            return exp.Nullif(this=position, expression=exp.Literal.number(0))
        return node

    return tree.copy().transform(rewrite)


def _spark_statement(
    origin: str, tree: exp.Expression, *, creates: str | None = None, drops: str | None = None
) -> EngineStatement:
    sql = transpile(tree, "spark")
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    names = tuple(sorted(set(re.findall(r":([A-Za-z_][A-Za-z0-9_]*)\b", _strip_strings(code)))))
    return EngineStatement(origin=origin, sql=sql, params=names, creates=creates, drops=drops)


def _strip_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"/\*.*?\*/", "", sql, flags=re.S))


def spark_script(compiled: CompiledStudy, *, title: str = "") -> str:
    """One printable Spark SQL script: bound values as a header, then each statement as the engine runs it.

    A query that makes a table is headed `-- NAME: materialised as temporary view NAME`.
    """
    header = [
        f"-- {title}" if title else "-- Study",
        "-- Spark SQL (sqlglot); bound parameters (spark.sql args):",
    ]
    header += [
        f"--   :{name} = {literal(value).sql(dialect='spark')}"
        for name, value in compiled.params.items()
    ]
    body, origin = [], None
    for statement in spark_plan(compiled):
        if statement.origin != origin:
            body.append(f"-- from {statement.origin}")
            origin = statement.origin
        made = f"-- {statement.creates}: materialised as temporary view {statement.creates}\n"
        body.append((made if statement.creates else "") + statement.sql.rstrip(";") + ";")
    return "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"
