"""Transpile the compiled study (`cohort sql`) from DuckDB to Spark SQL and Trino with sqlglot.

    .venv/bin/python benchmarks/transpile_study.py                 # report only
    .venv/bin/python benchmarks/transpile_study.py --out build/transpiled

Every statement of pipeline.study.compile.compile_study is prepared for an
engine that knows neither DuckDB's bound $parameters nor its macros:

- each $parameter becomes a literal of its bound value (the study's numbers,
  codelist names and versions, the excluded employment categories);
- each call of a loader macro (sql/load/macros.sql: cf_text, cf_nhs, ...) is
  replaced by the macro's body with its arguments substituted;

then transpiled with ErrorLevel.RAISE, so anything sqlglot cannot express in the
target dialect fails loudly. One thing sqlglot does not catch is checked here:
UNION ... BY NAME, which it writes unchanged into Spark SQL and Trino, where
it is a syntax error (found by running the output on Spark: spark_study.py). The script prints one line per statement and
dialect and exits 1 when any fails. With --out it writes DIALECT/NN_NAME.sql.
This is a benchmark-side check (docs/scaling.md), not part of the pipeline.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import db  # noqa: E402
from pipeline.paths import DEFAULT_STUDY  # noqa: E402
from pipeline.study.compile import compile_study  # noqa: E402
from pipeline.study.model import load_study  # noqa: E402

DIALECTS = ("spark", "trino")
MACRO = re.compile(
    r"CREATE OR REPLACE TEMP MACRO (\w+)\(([^)]*)\) AS (.*?);\s*$", re.S | re.M | re.I
)


def macros() -> dict[str, tuple[list[str], exp.Expression]]:
    """The loader's scalar macros: name -> (argument names, body)."""
    found = {}
    for name, args, body in MACRO.findall(db.sql_text("load/macros")):
        found[name.lower()] = (
            [a.strip() for a in args.split(",")],
            sqlglot.parse_one(body, read="duckdb"),
        )
    return found


def _literal(value) -> exp.Expression:
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[_literal(v) for v in value])
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


def prepare(sql: str, params: dict, defs: dict) -> list[exp.Expression]:
    """SQL's statements with parameters inlined and macros expanded (still DuckDB)."""

    def inline(node):
        if isinstance(node, exp.Placeholder) and node.name in params:
            return _literal(params[node.name])
        return _expand(node, defs)

    return [tree.transform(inline) for tree in sqlglot.parse(sql, read="duckdb")]


def by_name_unions(statement: exp.Expression) -> int:
    """UNION [ALL] BY NAME: DuckDB-only, and sqlglot 30.30 passes it through to Spark and
    Trino unchanged (no error), where it is a syntax error. Counted as a failure."""
    return sum(1 for u in statement.find_all(exp.Union) if u.args.get("by_name"))


def transpile(statement, dialect: str) -> str:
    if n := by_name_unions(statement):
        raise ValueError(f"{n} UNION ... BY NAME (no {dialect} equivalent without column lists)")
    return statement.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE, pretty=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=DEFAULT_STUDY)
    parser.add_argument("--out", type=Path, help="write DIALECT/NN_NAME.sql here")
    args = parser.parse_args(argv)
    compiled = compile_study(load_study(args.study))
    defs, failures = macros(), 0
    print(
        f"sqlglot {sqlglot.__version__}; {len(compiled.statements)} statements; macros {sorted(defs)}"
    )
    for number, statement in enumerate(compiled.statements, 1):
        trees = prepare(statement.sql, compiled.params, defs)
        for dialect in DIALECTS:
            try:
                text = ";\n".join(transpile(t, dialect) for t in trees) + ";\n"
            except Exception as exc:  # noqa: BLE001 - every failure is reported, then exit 1
                failures += 1
                print(
                    f"  FAIL {dialect:<6} {statement.name}: {type(exc).__name__}: {exc}".splitlines()[
                        0
                    ]
                )
                continue
            print(f"  ok   {dialect:<6} {statement.name} ({len(text):,} characters)")
            if args.out:
                target = args.out / dialect / f"{number:02d}_{statement.name}.sql"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    print("all statements transpiled" if not failures else f"{failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
