"""Loading a large practice extract: rows per second per table, wall and CPU time, peak memory.

    .venv/bin/python benchmarks/bench_load.py                        # 1M patients in 100 practices
    .venv/bin/python benchmarks/bench_load.py --patients 100000 --practices 10
    .venv/bin/python benchmarks/bench_load.py --extract bench-data/load-1000000   # reuse an extract

The extract is written by `cohort synth` (pipeline.synth) into --extract (default
bench-data/load-PATIENTS, git-ignored) unless that folder already holds one; the
generator's time is reported too. The extract is then loaded with
pipeline.extract.load_extracts into a fresh DuckDB file, as `cohort run` does.
CPU time and peak memory (ru_maxrss) are this process's own: the generator and
the loader both run in it, so the peak covers both. Time per table is measured
by wrapping the loader's one read of each table over every practice's file.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import db  # noqa: E402
from pipeline.extract import load_extracts, loader  # noqa: E402
from pipeline.paths import ROOT  # noqa: E402
from pipeline.synth import SynthOptions, generate  # noqa: E402

TABLES = ("patients", "events", "medications")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--patients", type=int, default=1_000_000, help="patients to generate (default 1,000,000)"
    )
    parser.add_argument(
        "--practices", type=int, default=100, help="practices to generate (default 100)"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--extract", type=Path, help="extract folder; generated there if it holds none"
    )
    parser.add_argument(
        "--threads", type=int, help="DuckDB threads for loading (default: one per CPU)"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the loaded DuckDB file and say where"
    )
    return parser.parse_args(argv)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def ensure_extract(args: argparse.Namespace) -> Path:
    """The extract folder, generated first when it holds no practice."""
    folder = args.extract or ROOT / "bench-data" / f"load-{args.patients}"
    if folder.is_dir() and any(folder.glob("*/manifest.yaml")):
        print(f"Reusing the extract in {folder} ({_size_mib(folder):,.0f} MiB)")
        return folder
    print(
        f"Generating {args.patients:,} patients in {args.practices} practices into {folder} …",
        flush=True,
    )
    wall, cpu = time.perf_counter(), _cpu()
    result = generate(
        SynthOptions(practices=args.practices, patients=args.patients, seed=args.seed, out=folder)
    )
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    rows = result.rows
    print(
        f"  generated {rows['patients']:,} patients, {rows['events']:,} events, {rows['medications']:,} issues "
        f"({_size_mib(folder):,.0f} MiB) in {wall:.1f} s wall, {cpu:.1f} s CPU; peak RSS so far {_peak_mib():,.0f} MiB"
    )
    return folder


def _timed_tables() -> dict[str, float]:
    """Seconds spent per table in the loader's one read of that table over every practice's
    file (loader._read_group), from now on."""
    spent = dict.fromkeys(TABLES, 0.0)
    step = loader._read_group

    def timed(con, table, group):
        started = time.perf_counter()
        try:
            return step(con, table, group)
        finally:
            spent[table.name] += time.perf_counter() - started

    loader._read_group = timed
    return spent


def load(folder: Path, *, threads: int | None, keep: bool) -> None:
    target = Path(tempfile.mkdtemp(prefix="bench-load-")) / "run.duckdb"
    con = db.connect(target, threads=threads)
    print(f"Loading {folder} into {target} …", flush=True)
    spent = _timed_tables()
    wall, cpu = time.perf_counter(), _cpu()
    result = load_extracts(con, [folder])
    con.execute("CHECKPOINT")
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    totals = {
        t: sum(n for (_, table), n in result.row_counts.items() if table == t) for t in TABLES
    }
    future = {
        t: sum(n for (_, table), n in result.future_records.items() if table == t)
        for t in ("events", "medications")
    }
    print(
        f"  {len(result.manifests)} practices in {wall:.1f} s wall, {cpu:.1f} s CPU (CPU/wall {cpu / wall:.2f})"
    )
    for table, n in totals.items():
        print(
            f"  {table:<12} {n:>12,} rows in {spent[table]:6.1f} s  {n / spent[table]:>12,.0f} rows/s"
        )
    print(
        f"  all tables   {sum(totals.values()):>12,} rows in {wall:6.1f} s  {sum(totals.values()) / wall:>12,.0f} rows/s"
    )
    print(
        f"  records after the extract date: {future['events']:,} events, {future['medications']:,} issues"
    )
    print(
        f"  database file {target.stat().st_size / 2**20:,.0f} MiB; peak RSS {_peak_mib():,.0f} MiB"
    )
    con.close()
    if keep:
        print(f"  kept {target}")
    else:
        target.unlink()
        target.parent.rmdir()


def main(argv: list[str] | None = None) -> None:
    args = _args(argv)
    folder = ensure_extract(args)
    load(folder, threads=args.threads, keep=args.keep_db)


if __name__ == "__main__":
    main()
