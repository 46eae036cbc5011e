"""Transpile the compiled study (`cohort sql`) from DuckDB to Spark SQL and Trino with sqlglot.

    .venv/bin/python benchmarks/transpile_study.py                 # report only
    .venv/bin/python benchmarks/transpile_study.py --out build/transpiled

The transpiling itself is the pipeline's (pipeline/engines/transpile.py): Spark
as the Spark engine runs it (`cohort sql --dialect spark`: parameters bound by
spark.sql args, tables as cached views), Trino with the parameters inlined as
literals. Macros are expanded, UNION ... BY NAME refused, anything sqlglot
cannot express fails loudly. The script prints one line per statement and
dialect and exits 1 when any fails. With --out it writes DIALECT/NN_NAME.sql.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sqlglot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.engines.transpile import (  # noqa: E402
    macros,
    prepare,
    spark_statements,
    transpile,
)
from pipeline.paths import DEFAULT_STUDY  # noqa: E402
from pipeline.study.compile import compile_study  # noqa: E402
from pipeline.study.model import load_study  # noqa: E402

DIALECTS = ("spark", "trino")


def transpile_statement(statement, params: dict, dialect: str) -> str:
    """One compiled statement in DIALECT: Spark as the engine runs it, Trino with literals."""
    if dialect == "spark":
        return ";\n".join(step.sql for step in spark_statements(statement, params)) + ";\n"
    trees = prepare(statement.sql, params, inline=True)
    return ";\n".join(transpile(t, dialect) for t in trees) + ";\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=DEFAULT_STUDY)
    parser.add_argument("--out", type=Path, help="write DIALECT/NN_NAME.sql here")
    args = parser.parse_args(argv)
    compiled = compile_study(load_study(args.study))
    defs, failures = (
        macros(),
        0,
    )  # the pipeline's own transpile layer (pipeline/engines/transpile.py)
    print(
        f"sqlglot {sqlglot.__version__}; {len(compiled.statements)} statements; macros {sorted(defs)}"
    )
    for number, statement in enumerate(compiled.statements, 1):
        for dialect in DIALECTS:
            try:
                text = transpile_statement(statement, compiled.params, dialect)
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
