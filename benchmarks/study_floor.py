"""The study stage against the floor query, on the same run database, alternating.

    .venv/bin/python benchmarks/study_floor.py RUN_DB [--rounds 5] [--study FILE]
        [--snapshot OUT.json | --compare OUT.json] [--profile DIR] [--threads N]

RUN_DB is a finished run's run.duckdb (keep it: `cohort run ... --out DIR`). It is
copied once to a scratch file beside it (the study rewrites population, evidence,
attrition and quarantine), then, for --rounds rounds, the compiled study
(pipeline.study.execute.run_study) and the floor query (floor_instep.sql) run one
after the other in this process, the order alternating each round, after one
warm-up of each. Printed: wall and CPU seconds (this process's, all DuckDB
threads) of each, their medians, the ratio of the medians, the study's
per-statement wall seconds (median), and the load average.

--snapshot writes an order-independent fingerprint (row count and hash sum) of
every table the study writes; --compare checks a later study against it, so a
change to the SQL can be shown to leave every decision, evidence row and
attrition count as it was. --profile writes DuckDB's EXPLAIN ANALYZE of each
study statement and of the floor query into DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline import db  # noqa: E402
from pipeline.study.compile import compile_study  # noqa: E402
from pipeline.study.execute import run_study  # noqa: E402
from pipeline.study.model import load_study  # noqa: E402

FLOOR_SQL = (HERE / "floor_instep.sql").read_text(encoding="utf-8")
STUDY = HERE / "studies" / "instep-v1.yaml"
WRITTEN = ("population", "evidence", "attrition", "quarantine", "study_definition",
           "study_steps", "study_criteria")  # fmt: skip


def _timed(fn) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def fingerprint(con) -> dict:
    out = {}
    for table in WRITTEN:
        n, h = con.execute(
            f"SELECT count(*), CAST(sum(hash(t)) AS VARCHAR) FROM {table} AS t"
        ).fetchone()
        cols = [r[0] + " " + r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        out[table] = {"rows": n, "hash": h, "columns": cols}
    return out


def profile(con, study, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    compiled = compile_study(study)
    con.begin()
    for s in compiled.statements:
        if s.name == "cleanup":
            continue
        rows = con.execute("EXPLAIN ANALYZE " + s.sql, compiled.bound(s)).fetchall()
        (out / f"{s.name}.txt").write_text(rows[0][1], encoding="utf-8")
    con.rollback()
    rows = con.execute("EXPLAIN ANALYZE " + FLOOR_SQL).fetchall()
    (out / "floor.txt").write_text(rows[0][1], encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_db", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--study", type=Path, default=STUDY)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--reuse", action="store_true", help="reuse the scratch copy")
    args = parser.parse_args(argv)
    os.umask(0o077)
    scratch = args.run_db.with_name("study-floor-scratch.duckdb")
    if not (args.reuse and scratch.exists()):
        shutil.copyfile(args.run_db, scratch)
    study = load_study(args.study)
    con = db.connect(scratch, threads=args.threads)
    if args.profile:
        profile(con, study, args.profile)
    run = lambda: run_study(con, study)  # noqa: E731
    floor = lambda: len(con.execute(FLOOR_SQL).fetchall())  # noqa: E731
    warm = run()
    floor_n = floor()
    invited = {
        r
        for r in con.execute(
            "SELECT practice_code, patient_id FROM population WHERE invited"
        ).fetchall()
    }
    floor_set = set(con.execute(FLOOR_SQL).fetchall())
    if args.snapshot:
        args.snapshot.write_text(json.dumps(fingerprint(con), indent=1))
    if args.compare:
        want, got = json.loads(args.compare.read_text()), fingerprint(con)
        diff = [t for t in WRITTEN if want.get(t) != got.get(t)]
        print("compare:", "identical" if not diff else f"DIFFERENT tables {diff}")
        for t in diff:
            print("  want", want.get(t), "\n  got ", got.get(t))
    results = {"study": [], "floor": [], "statements": []}
    for i in range(args.rounds):
        order = (
            (("study", run), ("floor", floor)) if i % 2 == 0 else (("floor", floor), ("study", run))
        )
        for name, fn in order:
            wall, cpu, out = _timed(fn)
            results[name].append((wall, cpu))
            if name == "study":
                results["statements"].append(out.timings)
        print(f"round {i + 1}: study {results['study'][-1][0]:.2f}/{results['study'][-1][1]:.2f} "
              f"floor {results['floor'][-1][0]:.2f}/{results['floor'][-1][1]:.2f} (wall/CPU s) "
              f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    con.close()
    med = {
        k: [statistics.median(x[j] for x in results[k]) for j in (0, 1)] for k in ("study", "floor")
    }
    statements = {
        k: round(statistics.median(t[k] for t in results["statements"]), 3)
        for k in results["statements"][0]
    }
    print(json.dumps({
        "patients": warm.patients, "invited": warm.invited, "floor_invited": floor_n,
        "same_invitees": invited == floor_set,
        "study_wall": round(med["study"][0], 3), "study_cpu": round(med["study"][1], 3),
        "floor_wall": round(med["floor"][0], 3), "floor_cpu": round(med["floor"][1], 3),
        "ratio_wall": round(med["study"][0] / med["floor"][0], 2),
        "ratio_cpu": round(med["study"][1] / med["floor"][1], 2),
        "statements": statements, "loadavg": os.getloadavg(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
