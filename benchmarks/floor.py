"""The floor: what plain DuckDB needs for a run's work, CSV in to mail-merge list out.

    .venv/bin/python benchmarks/floor.py EXTRACT RUN_DB [--repeat N] [--memory-limit 8GB] [--json]

Four hand-written steps, each timed (median of --repeat, after one warm-up for
the queries over RUN_DB):

- load:    every practice's three CSV files read with read_csv into a fresh DuckDB
           file (typed columns, practice code from the folder name), checkpointed;
- checks:  the extract suites' checks as one SQL statement per table
           (benchmarks/bench_validation.PLAIN) over RUN_DB, opened read-only;
- study:   the InStep rules as one statement (benchmarks/floor_instep.sql);
- outputs: the invitees joined to their names and addresses, COPY'd to a CSV.

--memory-limit sets DuckDB's memory_limit on both connections (the floor's own
database and RUN_DB), as `cohort run --memory-limit` does on the run's.
It also checks the floor invites exactly the patients the pipeline invited
(population.invited in RUN_DB). bench_pipeline.py runs this in a child process
so its CPU time and peak memory are its own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_validation import PLAIN  # noqa: E402

from pipeline import db  # noqa: E402

FLOOR_SQL = (HERE / "floor_instep.sql").read_text(encoding="utf-8")

# Practices write dates and NHS numbers in several formats: the loader's own
# macros (cf_date, cf_nhs, cf_postcode) normalise them here too.
CSV_COLUMNS = {
    "patients": "cf_text(patient_id) AS patient_id, cf_nhs(nhs_number) AS nhs_number, "
    "title, forename, surname, cf_date(date_of_birth) AS date_of_birth, sex, address_line_1, "
    "address_line_2, address_line_3, address_line_4, cf_postcode(postcode) AS postcode, "
    "cf_date(registration_date) AS registration_date, "
    "cf_date(deregistration_date) AS deregistration_date, cf_date(date_of_death) AS date_of_death",
    "events": "cf_text(patient_id) AS patient_id, cf_date(event_date) AS event_date, "
    "coding_system, cf_text(code) AS code, TRY_CAST(value AS DOUBLE) AS value",
    "medications": "cf_text(patient_id) AS patient_id, cf_date(issue_date) AS issue_date, "
    "coding_system, cf_text(code) AS code, issue_type, TRY_CAST(quantity AS DOUBLE) AS quantity",
}

OUTPUT_SQL = """
COPY (
    WITH invited AS ({floor})
    SELECT p.practice_code, p.patient_id, p.nhs_number, p.title, p.forename, p.surname,
           p.address_line_1, p.address_line_2, p.address_line_3, p.address_line_4, p.postcode
    FROM invited i JOIN patients p USING (practice_code, patient_id)
    ORDER BY 1, 2
) TO '{out}' (HEADER)
"""


def load_floor(extract: Path, target: Path, *, memory_limit: str | None = None) -> float:
    """Seconds to read every CSV into typed tables in a fresh database file."""
    started = time.perf_counter()
    con = db.connect(target, memory_limit=memory_limit)
    parquet = any(extract.glob("*/patients.parquet"))
    for table, columns in CSV_COLUMNS.items():
        pattern = str(extract / "*" / f"{table}.{'parquet' if parquet else 'csv'}")
        reader = (
            "read_parquet($p, filename = true, union_by_name = true)"
            if parquet
            else "read_csv($p, header = true, filename = true, all_varchar = true, union_by_name = true)"
        )
        con.execute(
            f"CREATE TABLE {table} AS SELECT regexp_extract(filename, '([^/]+)/[^/]+$', 1) "
            f"AS practice_code, {columns} FROM {reader}",
            {"p": pattern},
        )
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


def _timed(con, sql: str, repeat: int) -> tuple[float, object]:
    con.execute(sql).fetchall()  # warm-up: the pipeline's queries run on a warm file too
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = con.execute(sql).fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def query_floor(
    run_db: Path, *, repeat: int, out_dir: Path, memory_limit: str | None = None
) -> dict:
    con = duckdb.connect(str(run_db), read_only=True)
    con.execute(db.sql_text("load/macros"))
    if memory_limit:
        con.execute("SET memory_limit = $limit", {"limit": memory_limit})
    checks = sum(_timed(con, sql, repeat)[0] for sql in PLAIN.values())
    study, floor_rows = _timed(con, FLOOR_SQL, repeat)
    engine = con.execute(
        "SELECT practice_code, patient_id FROM population WHERE invited ORDER BY 1, 2"
    ).fetchall()
    out = out_dir / "floor_mailmerge.csv"
    body = FLOOR_SQL.split("\n", 5)[-1].rsplit("ORDER BY", 1)[0]
    outputs, _ = _timed(con, OUTPUT_SQL.format(floor=body, out=out), 1)
    con.close()
    floor_set, engine_set = set(floor_rows), set(engine)
    return {
        "checks": checks,
        "study": study,
        "outputs": outputs,
        "floor_invited": len(floor_set),
        "engine_invited": len(engine_set),
        "only_floor": len(floor_set - engine_set),
        "only_engine": len(engine_set - floor_set),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("run_db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 8GB (default DuckDB's)")
    parser.add_argument(
        "--tmp", type=Path, help="folder for the floor's database (default: TMPDIR)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    limit = args.memory_limit
    with tempfile.TemporaryDirectory(prefix="bench-floor-", dir=args.tmp) as tmp:
        result = {"load": load_floor(args.extract, Path(tmp) / "floor.duckdb", memory_limit=limit)}
        result |= query_floor(
            args.run_db, repeat=args.repeat, out_dir=Path(tmp), memory_limit=limit
        )
        result["memory_limit"] = limit
    result["total"] = sum(result[k] for k in ("load", "checks", "study", "outputs"))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:<16} {value:.3f}" if isinstance(value, float) else f"{key:<16} {value}")


if __name__ == "__main__":
    main()
