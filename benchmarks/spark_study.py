"""Run the study, transpiled to Spark SQL, on a local Spark and compare invitees with DuckDB's.

    # pyspark lives in a scratch environment, never in the project's requirements:
    python3 -m venv /tmp/sparkvenv && /tmp/sparkvenv/bin/pip install pyspark
    .venv/bin/python benchmarks/spark_study.py RUN_DB \
        --spark-site /tmp/sparkvenv/lib/python3.11/site-packages

RUN_DB is a finished run's run.duckdb (any small extract's; Java 17 needed).
Its input tables (docs/design/contracts.md: patients, events, medications,
run_practices, codelist_codes, prior_invitations, do_not_contact, screened_out) are exported
to Parquet and registered as Spark views; every study statement is transpiled
by transpile_study.prepare (parameters inlined, macros expanded) and run with
spark.sql. A statement with UNION ... BY NAME (evidence.sql) is skipped and
reported: Spark SQL has no such union, and evidence does not decide who is
invited. Spark's built-in catalog has no CREATE OR REPLACE TABLE, so each
result table becomes a cached temporary view. Exits 1 unless Spark invites
exactly the patients DuckDB did (population.invited in RUN_DB).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from sqlglot import exp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from transpile_study import by_name_unions, macros, prepare  # noqa: E402

from pipeline.paths import DEFAULT_STUDY  # noqa: E402
from pipeline.study.compile import compile_study  # noqa: E402
from pipeline.study.model import load_study  # noqa: E402

INPUTS = (
    "patients", "events", "medications", "run_practices", "codelist_codes",
    "prior_invitations", "do_not_contact", "screened_out",
)  # fmt: skip
INVITED = "SELECT practice_code, patient_id FROM population WHERE invited"


def export(run_db: Path, folder: Path) -> None:
    con = duckdb.connect(str(run_db), read_only=True)
    for table in INPUTS:
        con.execute(f"COPY {table} TO '{folder / table}.parquet' (FORMAT parquet)")
    con.close()


def as_view(tree: exp.Expression) -> exp.Expression:
    """CREATE [OR REPLACE] [TEMP] TABLE x AS q  ->  CREATE OR REPLACE TEMPORARY VIEW x AS q."""
    if isinstance(tree, exp.Create) and tree.args.get("kind", "").upper() == "TABLE":
        tree = tree.copy()
        tree.set("kind", "VIEW")
        tree.set("replace", True)
        tree.set("properties", exp.Properties(expressions=[exp.TemporaryProperty()]))
    return tree


def run_on_spark(spark, folder: Path) -> tuple[set, dict]:
    for table in INPUTS:
        spark.read.parquet(str(folder / f"{table}.parquet")).createOrReplaceTempView(table)
    compiled = compile_study(load_study(DEFAULT_STUDY))
    defs, timings = macros(), {}
    for statement in compiled.statements:
        started = time.perf_counter()
        trees = prepare(statement.sql, compiled.params, defs)
        if any(by_name_unions(t) for t in trees):
            timings[statement.name] = "skipped: UNION BY NAME"
            continue  # evidence only: it does not decide who is invited
        for tree in trees:
            if isinstance(tree, exp.Drop):
                continue  # the views are dropped with the session
            tree = as_view(tree)
            spark.sql(tree.sql(dialect="spark"))
            if isinstance(tree, exp.Create):
                spark.table(tree.this.name).cache().count()
        timings[statement.name] = round(time.perf_counter() - started, 1)
    return {tuple(r) for r in spark.sql(INVITED).collect()}, timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_db", type=Path)
    parser.add_argument("--spark-site", help="site-packages holding pyspark (searched last)")
    args = parser.parse_args(argv)
    if args.spark_site:
        sys.path.append(args.spark_site)
    from pyspark.sql import SparkSession

    con = duckdb.connect(str(args.run_db), read_only=True)
    duck = set(con.execute(INVITED).fetchall())
    con.close()
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory(prefix="spark-study-") as tmp:
        export(args.run_db, Path(tmp))
        started = time.perf_counter()
        invited, timings = run_on_spark(spark, Path(tmp))
        seconds = time.perf_counter() - started
    spark.stop()
    print(f"Spark {spark.version}: study in {seconds:.1f} s {timings}")
    print(f"invited: Spark {len(invited):,}, DuckDB {len(duck):,}; "
          f"only Spark {len(invited - duck)}, only DuckDB {len(duck - invited)}")  # fmt: skip
    sys.exit(0 if invited == duck else 1)


if __name__ == "__main__":
    main()
