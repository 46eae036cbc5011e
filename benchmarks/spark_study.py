"""Run a finished run's study again on a local Spark (the pipeline's Spark engine) and compare invitees.

    make spark                                   # pyspark into .venv, Java 17+
    .venv/bin/python benchmarks/spark_study.py RUN_DB [--master local[2]]

RUN_DB is a finished run's run.duckdb. Its input tables (docs/design/contracts.md:
patients, events, medications, run_practices, codelist_codes, prior_invitations,
do_not_contact, screened_out) are copied into an in-memory DuckDB, and the study
is run there by pipeline.engines.spark.study.run_study_spark: the same compiled
statements, transpiled as `cohort sql --dialect spark` prints them, the inputs
pushed up to Spark and the outputs brought back. Exits 1 unless Spark invites
exactly the patients DuckDB did (population.invited in RUN_DB).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline import db  # noqa: E402
from pipeline.engines.spark.session import spark_session  # noqa: E402
from pipeline.engines.spark.study import run_study_spark  # noqa: E402
from pipeline.paths import DEFAULT_STUDY  # noqa: E402
from pipeline.study.execute import INPUT_TABLES  # noqa: E402
from pipeline.study.model import load_study  # noqa: E402

INVITED = "SELECT practice_code, patient_id FROM {} WHERE invited"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_db", type=Path)
    parser.add_argument("--study", type=Path, default=DEFAULT_STUDY)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args(argv)
    con = db.connect()
    con.execute("ATTACH ? AS run (READ_ONLY)", [str(args.run_db)])
    duck = set(con.execute(INVITED.format("run.population")).fetchall())
    for table in INPUT_TABLES:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM run.{table}")
    con.execute("DETACH run")
    spark = spark_session(args.master)
    started = time.perf_counter()
    result = run_study_spark(con, load_study(args.study), spark=spark)
    seconds = time.perf_counter() - started
    invited = set(con.execute(INVITED.format("population")).fetchall())
    print(f"Spark {spark.version} on {args.master}: study in {seconds:.1f} s {result.timings}")
    print(f"invited: Spark {len(invited):,}, DuckDB {len(duck):,}; "
          f"only Spark {len(invited - duck)}, only DuckDB {len(duck - invited)}")  # fmt: skip
    sys.exit(0 if invited == duck else 1)


if __name__ == "__main__":
    main()
