"""`cohort run` at ICB scale, stage by stage, against the plain-DuckDB floor.

    make bench                                         # 100k, 1M and 3M patients, median of 3
    make bench ARGS="--quick"                          # smoke run: 20k patients, once
    make bench ARGS="--sizes 1M --repeat 1"            # one size, one run
    make bench ARGS="--sizes 10M --formats parquet --repeat 1 --memory-limit 8GB"
    make bench ARGS="--sizes 1M --repeat 1 --engines duckdb,spark"   # Spark local against DuckDB

For each size the extract is generated once with the project's generator
(`cohort synth`, 10,000 patients a practice, seed 1) under bench-data/ (git-
ignored) and reused later; bench_load.py's bench-data/load-N extracts are reused
too. `cohort run EXTRACT --pdf never --log-json` then runs in a child process
(PDF letters are off: Chromium would dominate and is not the pipeline's work).
Per stage: wall seconds (from the JSON step log), CPU seconds (the child's
/proc/PID/stat at each step boundary) and peak RSS within the stage (VmHWM,
reset at each step start through /proc/PID/clear_refs). For the whole run:
wall clock, and CPU and peak RSS from os.wait4's rusage.

The floor (benchmarks/floor.py, also a child process) does the same work in
plain DuckDB: CSV in, the extract checks, the InStep rules as one statement,
a mail-merge CSV out; it must invite exactly the patients the run invited.
--memory-limit is passed to the run (`cohort run --memory-limit`) and to the
floor alike. --engines duckdb,spark runs the same extract through `cohort run
--engine spark` too, against the same floor, and checks both engines invite the
same patients. The load average is printed before and after every run and the
floor. Results go to DATA_DIR/results-TIMESTAMP.json; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_load import ensure_extract  # noqa: E402
from bench_proc import load_average, peak_mib, reset_hwm, stop, tree_cpu, tree_rss_mib, wait  # noqa: E402
from bench_report import growth, report, table  # noqa: E402

from pipeline.stages import PIPELINE  # noqa: E402

COHORT = Path(sys.executable).parent / "cohort"
LABELS = {label: name for name, label, _ in PIPELINE}
GROUPS = {
    "load": ("study_definition", "load", "index_dates", "warnings"),
    "validate": ("validate_extract", "validate_cohort", "validate_invitations"),
    "study": ("codelists", "workspace", "study", "invitations"),
    "render": ("outputs",),
    "audit/commit": ("record", "commit"),
}


def _args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--sizes",
        default="100k,1M,3M",
        help="patients, comma-separated; k and M suffixes allowed (e.g. 100k,1M,3M,10M)",
    )
    p.add_argument(
        "--formats", default="csv,parquet", help="extract formats to run, comma-separated"
    )
    p.add_argument(
        "--study",
        type=Path,
        default=HERE / "studies" / "instep-v1.yaml",
        help="the study run (default: InStep v1, the rules benchmarks/floor_instep.sql states)",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per size; medians are reported")
    p.add_argument("--quick", action="store_true", help="smoke run: 20,000 patients, once")
    p.add_argument("--per-practice", type=int, default=10_000, help="patients per practice")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--data-dir",
        "--data",
        dest="data",
        type=Path,
        default=Path(os.environ.get("BENCH_DATA", ROOT / "bench-data")),
        help="extracts, workspaces and results (default: $BENCH_DATA, else bench-data/)",
    )
    p.add_argument(
        "--memory-limit",
        help="DuckDB memory_limit for the run and the floor, e.g. 8GB (default: DuckDB's, 80%% of RAM)",
    )
    p.add_argument(
        "--engines",
        default="duckdb",
        help="engines to run, comma-separated: duckdb, spark (`cohort run --engine spark`)",
    )
    p.add_argument("--spark-master", default="local[*]", help="--spark-master for the spark engine")
    p.add_argument(
        "--spark-driver-memory",
        default="8g",
        help="spark.driver.memory for the spark engine (local mode: the driver is the executor; "
        "Spark's 1g default runs out of heap), via a spark-defaults.conf in DATA_DIR/spark-conf",
    )
    p.add_argument(
        "--other-runs",
        type=int,
        help="runs of each engine after duckdb (default: --repeat), e.g. 1 for one Spark run",
    )
    p.add_argument(
        "--engine-timeout",
        type=float,
        help="seconds after which another engine's run is stopped and reported as not finished",
    )
    p.add_argument(
        "--engine-deadline",
        metavar="HH:MM",
        type=lambda t: dt.datetime.combine(dt.date.today(), dt.time.fromisoformat(t)).timestamp(),
        help="clock time (today) by which another engine's run is stopped, as --engine-timeout",
    )
    p.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="skip the floor (e.g. at 10M on a shared machine: the run alone, to show it fits)",
    )
    p.add_argument(
        "--screening-as-study",
        action="store_true",
        help="keep the study's GP screening (InStep v1: screening lists, no letters); by default "
        "the run writes the letters (--screening off), the work the floor's mail-merge list stands for",
    )
    p.add_argument("--keep", action="store_true", help="keep each run's workspace")
    args = p.parse_args(argv)
    args.sizes = [20_000] if args.quick else [patients(s) for s in args.sizes.split(",")]
    args.repeat = 1 if args.quick else args.repeat
    args.formats = args.formats.split(",")
    args.engines = args.engines.split(",")
    if args.engines[0] != "duckdb" or not set(args.engines) <= {"duckdb", "spark"}:
        p.error("--engines: duckdb first (the floor compares with its run), then spark")
    return args


def patients(text: str) -> int:
    """'100k' -> 100000, '10M' -> 10000000, '20000' -> 20000."""
    text = text.strip()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def extract_for(size: int, args, fmt: str = "csv") -> Path:
    """A cached extract of SIZE patients (bench_load's when there is one)."""
    if fmt == "parquet":
        return _parquet_extract(size, args)
    cached = args.data / f"load-{size}"
    if any(cached.glob("*/manifest.yaml")):
        print(f"Reusing {cached}")
        return cached
    practices = max(1, size // args.per_practice)
    spec = argparse.Namespace(
        extract=args.data / f"synth-{size}", patients=size, practices=practices, seed=args.seed
    )
    return ensure_extract(spec)


def _parquet_extract(size: int, args) -> Path:
    """The same generator's extract written as Parquet (cohort synth --format parquet)."""
    folder = args.data / f"synth-{size}-parquet"
    if any(folder.glob("*/manifest.yaml")):
        print(f"Reusing {folder}")
        return folder
    practices = max(1, size // args.per_practice)
    subprocess.run(
        [str(COHORT), "synth", "--patients", str(size), "--practices", str(practices),
         "--seed", str(args.seed), "--format", "parquet", "--out", str(folder)],
        check=True,
    )  # fmt: skip
    return folder


class RunFailed(Exception):
    """A `cohort run` that failed or was stopped at --engine-timeout."""


def run_pipeline(extract: Path, work: Path, *, study: Path, args, engine: str) -> dict:
    """One `cohort run` in a child process: per-stage wall, CPU, peak RSS; and the totals."""
    cmd = [str(COHORT), "run", str(extract), "--workspace", str(work / "ws"), "--study", str(study)]
    cmd += ["--new-workspace"] if _has_option("--new-workspace") else []
    cmd += ["--out", str(work / "run"), "--pdf", "never", "--log-json", "--quiet"]
    if args.memory_limit:
        _need_option("--memory-limit")
        cmd += ["--memory-limit", args.memory_limit]
    if not args.screening_as_study and _has_option("--screening"):
        cmd += ["--screening", "off", "--reason", "make bench: letters written in the run"]
    if engine != "duckdb":
        _need_option("--engine")
        cmd += ["--engine", engine, "--spark-master", args.spark_master]
    started = time.perf_counter()
    env = os.environ | ({"SPARK_CONF_DIR": str(_spark_conf(args))} if engine == "spark" else {})
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env=env,
    )  # fmt: skip
    timeout = None
    if engine != "duckdb":
        limits = [args.engine_timeout, args.engine_deadline and args.engine_deadline - time.time()]
        timeout = min((t for t in limits if t), default=None)
        if timeout is not None and timeout <= 0:
            raise RunFailed(f"{engine} run not started: --engine-deadline has passed")
    watchdog = threading.Timer(timeout, stop, (proc,)) if timeout else None
    if watchdog:
        watchdog.start()
    stages, cpu_at, other = {}, 0.0, []
    for line in proc.stderr:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            other.append(line.rstrip())
            continue
        name = LABELS.get(event.get("step"))
        if event.get("event") == "step_started" and name:
            reset_hwm(proc.pid)
            cpu_at = tree_cpu(proc.pid) or cpu_at
        elif event.get("event") == "step_finished" and name:
            cpu = tree_cpu(proc.pid)
            stages[name] = {
                "wall": event["seconds"],
                "cpu": None if cpu is None else cpu - cpu_at,
                "peak_mib": peak_mib(proc.pid),
                "tree_rss_mib": tree_rss_mib(proc.pid),
            }
            print(f"    {name}: {event['seconds']:.1f} s wall, {stages[name]['cpu'] or 0:.1f} s CPU "
                  f"(load avg {load_average()})", flush=True)  # fmt: skip
    code, cpu, peak = wait(proc)
    wall = time.perf_counter() - started
    if watchdog:
        watchdog.cancel()
    if code != 0:
        stopped = timeout and wall >= timeout
        raise RunFailed(
            f"{engine} run stopped at --engine-timeout {timeout:.0f} s after {list(stages)}"
            if stopped
            else f"cohort run failed (exit {code}): {' / '.join(other[-3:])}"
        )
    # clear_refs resets the kernel's high-water mark that ru_maxrss reads too
    peak = max([peak] + [s["peak_mib"] or 0 for s in stages.values()])
    # a JVM that outlived the run is not in wait4's figure: the stages' tree CPU is
    cpu = max(cpu, sum(s["cpu"] or 0 for s in stages.values()))
    tree_rss = max([s["tree_rss_mib"] for s in stages.values()], default=0)
    record = json.loads((work / "run" / "run_record.json").read_text(encoding="utf-8"))
    return {"stages": stages, "wall": wall, "cpu": cpu, "peak_mib": peak, "tree_rss_mib": tree_rss,
            "duckdb": record.get("duckdb"), "engine": engine,
            "engine_facts": record.get("engine")}  # fmt: skip


@functools.cache
def _has_option(option: str) -> bool:
    """Does this cohort run know OPTION (options arrive as the others land)?"""
    out = subprocess.run([str(COHORT), "run", "--help"], capture_output=True, text=True).stdout
    return option in out


def _spark_conf(args) -> Path:
    """A SPARK_CONF_DIR whose spark-defaults.conf gives the driver --spark-driver-memory."""
    folder = args.data / "spark-conf"
    folder.mkdir(parents=True, exist_ok=True)
    conf = f"spark.driver.memory {args.spark_driver_memory}\n"
    (folder / "spark-defaults.conf").write_text(conf, encoding="utf-8")
    return folder


def _need_option(option: str) -> None:
    if not _has_option(option):
        raise RunFailed(f"this checkout's `cohort run` has no {option} option: update it from main")


def invitees(run_db: Path) -> set[tuple[str, str]]:
    """The (practice, patient) pairs a finished run invited (population.invited)."""
    import duckdb

    with duckdb.connect(str(run_db), read_only=True) as con:
        sql = "SELECT practice_code, patient_id FROM population WHERE invited"
        return set(con.execute(sql).fetchall())


def run_floor(
    extract: Path, run_db: Path, *, repeat: int, memory_limit: str | None, tmp: Path
) -> dict:
    cmd = [sys.executable, str(HERE / "floor.py"), str(extract), str(run_db), "--tmp", str(tmp)]
    cmd += ["--memory-limit", memory_limit] if memory_limit else []
    before, started = load_average(), time.perf_counter()
    proc = subprocess.Popen(cmd + ["--repeat", str(repeat), "--json"], stdout=subprocess.PIPE)
    out = proc.stdout.read()
    code, cpu, peak = wait(proc)
    if code != 0:
        sys.exit(f"the floor failed (exit {code})")
    floor = json.loads(out) | {"wall": time.perf_counter() - started, "cpu": cpu, "peak_mib": peak}
    floor["load_average"] = (before, load_average())
    print(
        f"  floor: {floor['total']:.1f} s (load {floor['load']:.1f} s, study query "
        f"{floor['study']:.2f} s; load avg {before} -> {load_average()})",
        flush=True,
    )
    return floor


def _median(runs: list[dict], *keys) -> float | None:
    values = []
    for run in runs:
        for key in keys:
            run = run.get(key) if isinstance(run, dict) else None
        if run is not None:
            values.append(run)
    return statistics.median(values) if values else None


def _engine_runs(size: int, fmt: str, engine: str, extract: Path, args) -> tuple[list, Path]:
    """ENGINE's runs of EXTRACT; the last one's work folder is kept for the comparisons."""
    runs, count = [], args.repeat if engine == "duckdb" else (args.other_runs or args.repeat)
    for i in range(count):
        work = args.data / "work" / f"{size}-{fmt}-{engine}-{i}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        before = load_average()
        try:
            run = run_pipeline(extract, work, study=args.study, args=args, engine=engine)
        except RunFailed:
            shutil.rmtree(work, ignore_errors=True)
            raise
        run["load_average"] = (before, load_average())
        print(
            f"  {size:,} {fmt} {engine} run {i + 1}: {run['wall']:.1f} s wall, "
            f"{run['cpu']:.1f} s CPU, peak {run['peak_mib']:,.0f} MiB, "
            f"DuckDB {run['duckdb']} (load avg {before} -> {load_average()})",
            flush=True,
        )
        runs.append(run)
        if i < count - 1 and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return runs, work


def bench_size(size: int, args, fmt: str = "csv") -> list[dict]:
    """Every engine's runs of SIZE patients in FMT, the floor (against the duckdb run, right
    after it), and each other engine's invitees against the duckdb run's: one result per
    engine (another engine's failure or timeout is reported, not fatal)."""
    extract = extract_for(size, args, fmt)
    results, last, floor = [], {}, None
    for engine in args.engines:
        result = {
            "size": size, "format": fmt, "engine": engine, "extract": str(extract),
            "memory_limit": args.memory_limit, "screening": "study" if args.screening_as_study else "off",
        }  # fmt: skip
        try:
            runs, last[engine] = _engine_runs(size, fmt, engine, extract, args)
        except RunFailed as exc:
            if engine == "duckdb":
                sys.exit(str(exc))
            print(f"  {size:,} {fmt} {engine}: {exc}", flush=True)
            results.append(result | {"failed": str(exc), "runs": []})
            continue
        results.append(result | {"duckdb": runs[-1]["duckdb"], "runs": runs})
        if engine == "duckdb" and args.floor:
            floor = run_floor(
                extract, last["duckdb"] / "run" / "run.duckdb", repeat=args.repeat,
                memory_limit=args.memory_limit, tmp=args.data / "work",
            )  # fmt: skip
    base = invitees(last["duckdb"] / "run" / "run.duckdb")
    for result in results:
        result["floor"] = floor
        result["invited"] = len(base)
        if result["engine"] != "duckdb" and result["engine"] in last:
            mine = invitees(last[result["engine"]] / "run" / "run.duckdb")
            result["invited"] = len(mine)
            result["versus"] = {
                "invited": len(mine), "duckdb_invited": len(base),
                "only_this": len(mine - base), "only_duckdb": len(base - mine),
            }  # fmt: skip
    if not args.keep:
        for work in last.values():
            shutil.rmtree(work, ignore_errors=True)
    return results


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a / b


def summarise(result: dict) -> dict:
    runs, floor = result["runs"], result["floor"]
    stages = {
        name: {k: _median(runs, "stages", name, k) for k in ("wall", "cpu")}
        | {"peak_mib": max(r["stages"].get(name, {}).get("peak_mib") or 0 for r in runs)}
        for name in LABELS.values()
    }
    groups = {
        g: {k: sum(stages[n][k] or 0 for n in names if n in stages) for k in ("wall", "cpu")}
        | {"peak_mib": max(stages[n]["peak_mib"] for n in names if n in stages)}
        for g, names in GROUPS.items()
    }
    wall = _median(runs, "wall")
    return {
        "stages": stages,
        "groups": groups,
        "wall": wall,
        "cpu": _median(runs, "cpu"),
        "peak_mib": max(r["peak_mib"] for r in runs),
        "tree_rss_mib": max(r.get("tree_rss_mib", 0) for r in runs),
        "pipeline_to_floor": _ratio(wall, floor and floor["total"]),
        "study_to_floor": _ratio(stages["study"]["wall"], floor and floor["study"]),
        "load_to_floor": _ratio(stages["load"]["wall"], floor and floor["load"]),
        "gx": groups["validate"]["wall"],
    }


def main(argv: list[str] | None = None) -> None:
    args = _args(argv)
    print(
        f"cohort run benchmark on {os.cpu_count()} CPUs, load average {load_average()}; PDFs off; "
        f"DuckDB memory_limit {args.memory_limit or 'default (80% of RAM)'} for the run and the "
        f"floor; engines {', '.join(args.engines)}; "
        f"{'GP screening as the study says' if args.screening_as_study else 'letters written (--screening off)'}; "
        f"data in {args.data}",
        flush=True,
    )
    results, failed = [], []
    out = args.data / f"results-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    for size in args.sizes:
        for fmt in args.formats:
            for result in bench_size(size, args, fmt):
                if "failed" in result:
                    failed.append(result)
                    continue
                result["summary"] = summarise(result)
                report(result, result["summary"])
                results.append(result)
            _save(out, args, results + failed)  # after each size: a later stop loses nothing
    table(results)
    for result in failed:
        print(
            f"  {result['size']:>10,} {result['format']:<8} {result['engine']:<7} {result['failed']}"
        )
    if len({r["size"] for r in results}) > 1:
        growth([r for r in results if r["engine"] == "duckdb"])
    print(f"\nResults: {out}")


def _save(out: Path, args, results: list[dict]) -> None:
    body = {"cpus": os.cpu_count(), "memory_limit": args.memory_limit, "results": results}
    out.write_text(json.dumps(body, indent=1, default=str))


if __name__ == "__main__":
    main()
