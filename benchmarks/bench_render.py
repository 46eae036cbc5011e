"""The render stage alone (`write_outputs`: lists, workbooks, letters) on a finished run's database.

Copies RUN_DB (a `cohort run`'s `run.duckdb`, e.g. from `make bench ARGS="--keep"`
or a run with `--pdf never`) to a scratch folder, then writes the run's
outputs into a fresh folder REPEAT times, as the `outputs` stage does with
`--pdf never`, and prints the wall and CPU seconds of each and their median,
with the load average. `--profile FILE` writes a cProfile of one more pass
(read it with `python -m pstats FILE`), written in one process. `--workers N`: as
write_outputs(workers=N); CPU seconds include the worker processes'.

    .venv/bin/python benchmarks/bench_render.py RUN_DB [--study benchmarks/studies/instep-v1.yaml]
        [--repeat 3] [--workers N] [--profile build/render.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from pipeline.invitations import write_outputs
from pipeline.study.model import load_study

HERE = Path(__file__).resolve().parent
LETTER_DATE = dt.date(2026, 12, 1)


def cpu_seconds() -> float:
    """CPU seconds of this process and its (finished) children: DuckDB's threads included."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def render_once(db_path: Path, out: Path, study, workers=None) -> tuple[float, float, int]:
    """(wall s, CPU s, files written) of one write_outputs into OUT."""
    con = duckdb.connect(str(db_path))
    try:
        before, started = cpu_seconds(), time.perf_counter()
        files = write_outputs(
            con,
            out,
            study=study,
            letter_date=LETTER_DATE,
            reply_by=LETTER_DATE + dt.timedelta(days=21),
            pdf_mode="never",
            **({} if workers is None else {"workers": workers}),
        )
        return time.perf_counter() - started, cpu_seconds() - before, len(files)
    finally:
        con.close()


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_db", type=Path)
    parser.add_argument("--study", type=Path, default=HERE / "studies" / "instep-v1.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, help="processes writing the files (default: by size)"
    )
    parser.add_argument("--profile", type=Path, help="cProfile one more pass into this file")
    args = parser.parse_args()
    study = load_study(args.study)
    with tempfile.TemporaryDirectory(prefix="bench-render-", dir=args.run_db.parent) as tmp:
        db_path = Path(tmp) / "run.duckdb"
        shutil.copyfile(args.run_db, db_path)
        with duckdb.connect(str(db_path), read_only=True) as con:
            (invited,) = con.execute("SELECT count(*) FROM invitations").fetchone()
        print(f"render stage on {args.run_db} ({invited:,} invitations), {os.cpu_count()} CPUs")
        walls, cpus = [], []
        for i in range(args.repeat):
            load = load_average()
            wall, cpu, n = render_once(db_path, Path(tmp) / f"out{i}", study, args.workers)
            shutil.rmtree(Path(tmp) / f"out{i}")
            walls.append(wall)
            cpus.append(cpu)
            print(f"  run {i + 1}: {wall:7.2f} s wall {cpu:7.2f} s CPU  {n} files  load {load}")
        if walls:
            print(
                f"  median of {args.repeat}: {statistics.median(walls):.2f} s wall, "
                f"{statistics.median(cpus):.2f} s CPU (load average now {load_average()})"
            )
        if args.profile:
            args.profile.parent.mkdir(parents=True, exist_ok=True)
            profiler = cProfile.Profile()
            profiler.runcall(render_once, db_path, Path(tmp) / "profiled", study, 1)
            profiler.dump_stats(str(args.profile))
            print(f"  profile: {args.profile}")


if __name__ == "__main__":
    main()
