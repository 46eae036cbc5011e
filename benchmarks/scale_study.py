"""How far one machine goes: the study stage and the floor query on K copies of a run's tables.

    .venv/bin/python benchmarks/scale_study.py RUN_DB --copies 3 [--memory-limit 2GB] [--threads 2]

RUN_DB is a finished run's run.duckdb (bench_pipeline.py --keep leaves them
under bench-data/work/). Its patients, events and medications are copied K
times into a scratch database beside it, each copy's patient ids suffixed
`-k`, so 1M patients become 3M or 10M with the same practices, index dates
and codelists. Then, in this process, with DuckDB's memory_limit and threads
set: the compiled study (pipeline.study.execute.run_study) and the floor query
(floor_instep.sql), each timed, with this process's peak RSS and DuckDB's
spill (temporary files) after each. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline import db  # noqa: E402
from pipeline.paths import DEFAULT_STUDY  # noqa: E402
from pipeline.study.execute import run_study  # noqa: E402
from pipeline.study.model import load_study  # noqa: E402

COPIED = ("patients", "events", "medications")
KEPT = (
    "practices", "run_practices", "codelist_codes", "prior_invitations", "do_not_contact", "screened_out",
)  # fmt: skip


def build(run_db: Path, target: Path, copies: int, *, memory_limit: str | None) -> float:
    """Copy by copy (streaming: a cross join with ORDER BY sorted 150 M rows in 16 GB)."""
    started = time.perf_counter()
    con = duckdb.connect(str(target))
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("ATTACH $p AS src (READ_ONLY)", {"p": str(run_db)})
    for table in KEPT:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
    for table in COPIED:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table} LIMIT 0")
        for k in range(copies):
            con.execute(
                f"INSERT INTO {table} SELECT * REPLACE (patient_id || '-' || $k AS patient_id) "
                f"FROM src.{table}",
                {"k": k},
            )
    con.execute("DETACH src")
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spill_mib(con) -> float:
    row = con.execute("SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files()").fetchone()
    return row[0] / 2**20


def measure(target: Path, *, memory_limit: str | None, threads: int | None) -> dict:
    con = db.connect(target, threads=threads)
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    patients = con.execute("SELECT count(*) FROM patients").fetchone()[0]
    started = time.perf_counter()
    result = run_study(con, load_study(DEFAULT_STUDY))
    study = time.perf_counter() - started
    study_peak, study_spill = _peak_mib(), _spill_mib(con)
    floor_sql = (HERE / "floor_instep.sql").read_text(encoding="utf-8")
    started = time.perf_counter()
    floor_n = len(con.execute(floor_sql).fetchall())
    floor = time.perf_counter() - started
    con.close()
    return {
        "patients": patients, "memory_limit": memory_limit, "threads": threads,
        "study_s": round(study, 1), "study_statements": result.timings,
        "study_peak_mib": round(study_peak), "study_spill_mib": round(study_spill),
        "floor_s": round(floor, 1), "peak_mib": round(_peak_mib()),
        "invited": result.invited, "floor_invited": floor_n,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_db", type=Path)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 2GB (default DuckDB's)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="reuse the scratch database")
    args = parser.parse_args(argv)
    os.umask(0o077)  # the copies hold (synthetic) patient records: owner-only
    target = args.run_db.parent / f"scaled-{args.copies}.duckdb"
    built = None
    if not (args.reuse and target.exists()):
        target.unlink(missing_ok=True)
        built = round(build(args.run_db, target, args.copies, memory_limit=args.memory_limit), 1)
    result = measure(target, memory_limit=args.memory_limit, threads=args.threads)
    print(json.dumps({"copies": args.copies, "build_s": built} | result))


if __name__ == "__main__":
    main()
