"""`cohort run` at ICB scale, stage by stage, against the plain-DuckDB floor.

    make bench                                         # 100k, 300k and 1M patients, median of 3
    make bench ARGS="--quick"                          # smoke run: 20k patients, once
    make bench ARGS="--sizes 1000000 --repeat 1"       # one size, one run

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
Results go to bench-data/results-TIMESTAMP.json; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_load import ensure_extract  # noqa: E402

from pipeline.stages import PIPELINE  # noqa: E402

COHORT = Path(sys.executable).parent / "cohort"
TICK = os.sysconf("SC_CLK_TCK")
LABELS = {label: name for name, label, _ in PIPELINE}
GROUPS = {
    "load": ("study_definition", "load", "index_dates"),
    "validate": ("validate_extract", "validate_cohort", "validate_invitations"),
    "study": ("codelists", "workspace", "study", "invitations"),
    "render": ("outputs",),
    "audit/commit": ("record", "commit"),
}


def _args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="100000,1000000,3000000", help="patients, comma-separated")
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
    p.add_argument("--data", type=Path, default=ROOT / "bench-data")
    p.add_argument("--keep", action="store_true", help="keep each run's workspace")
    args = p.parse_args(argv)
    args.sizes = [20_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    args.repeat = 1 if args.quick else args.repeat
    args.formats = args.formats.split(",")
    return args


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


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


def _proc_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _proc_hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_hwm(pid: int) -> None:
    with contextlib.suppress(OSError):  # not permitted: the stage peak is the peak so far
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _wait(proc: subprocess.Popen) -> tuple[int, float, float]:
    """Exit code, CPU seconds and peak RSS (MiB) of PROC."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run_pipeline(extract: Path, work: Path, *, study: Path) -> dict:
    """One `cohort run` in a child process: per-stage wall, CPU, peak RSS; and the totals."""
    cmd = [str(COHORT), "run", str(extract), "--workspace", str(work / "ws"), "--study", str(study)]
    cmd += ["--new-workspace"] if _has_option("--new-workspace") else []
    cmd += ["--out", str(work / "run"), "--pdf", "never", "--log-json", "--quiet"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stages, cpu_at, other = {}, 0.0, []
    for line in proc.stderr:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            other.append(line.rstrip())
            continue
        name = LABELS.get(event.get("step"))
        if event.get("event") == "step_started" and name:
            _reset_hwm(proc.pid)
            cpu_at = _proc_cpu(proc.pid) or cpu_at
        elif event.get("event") == "step_finished" and name:
            cpu = _proc_cpu(proc.pid)
            stages[name] = {
                "wall": event["seconds"],
                "cpu": None if cpu is None else cpu - cpu_at,
                "peak_mib": _proc_hwm_mib(proc.pid),
            }
            print(f"    {name}: {event['seconds']:.1f} s wall, {stages[name]['cpu'] or 0:.1f} s CPU "
                  f"(load avg {load_average()})", flush=True)  # fmt: skip
    code, cpu, peak = _wait(proc)
    wall = time.perf_counter() - started
    if code != 0:
        sys.exit(f"cohort run failed (exit {code}): {' / '.join(other[-3:])}")
    # clear_refs resets the kernel's high-water mark that ru_maxrss reads too
    peak = max([peak] + [s["peak_mib"] or 0 for s in stages.values()])
    return {"stages": stages, "wall": wall, "cpu": cpu, "peak_mib": peak}


def _has_option(option: str) -> bool:
    """Does this cohort run know OPTION (options arrive as the others land)?"""
    out = subprocess.run([str(COHORT), "run", "--help"], capture_output=True, text=True).stdout
    return option in out


def run_floor(extract: Path, run_db: Path, *, repeat: int) -> dict:
    cmd = [sys.executable, str(HERE / "floor.py"), str(extract), str(run_db)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd + ["--repeat", str(repeat), "--json"], stdout=subprocess.PIPE)
    out = proc.stdout.read()
    code, cpu, peak = _wait(proc)
    if code != 0:
        sys.exit(f"the floor failed (exit {code})")
    return json.loads(out) | {"wall": time.perf_counter() - started, "cpu": cpu, "peak_mib": peak}


def _median(runs: list[dict], *keys) -> float | None:
    values = []
    for run in runs:
        for key in keys:
            run = run.get(key) if isinstance(run, dict) else None
        if run is not None:
            values.append(run)
    return statistics.median(values) if values else None


def bench_size(size: int, args, fmt: str = "csv") -> dict:
    extract = extract_for(size, args, fmt)
    runs, floor = [], None
    for i in range(args.repeat):
        work = args.data / "work" / f"{size}-{fmt}-{i}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        before = load_average()
        run = run_pipeline(extract, work, study=args.study)
        run["load_average"] = (before, load_average())
        print(
            f"  {size:,} run {i + 1}: {run['wall']:.1f} s wall, {run['cpu']:.1f} s CPU, "
            f"peak {run['peak_mib']:,.0f} MiB (load avg {before} -> {load_average()})",
            flush=True,
        )
        runs.append(run)
        if i == args.repeat - 1:
            floor = run_floor(extract, work / "run" / "run.duckdb", repeat=args.repeat)
            floor["load_average"] = load_average()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return {"size": size, "format": fmt, "extract": str(extract), "runs": runs, "floor": floor}


def summarise(result: dict) -> dict:
    runs, floor = result["runs"], result["floor"]
    stages = {
        name: {k: _median(runs, "stages", name, k) for k in ("wall", "cpu")}
        | {"peak_mib": max(r["stages"].get(name, {}).get("peak_mib") or 0 for r in runs)}
        for name in LABELS.values()
    }
    groups = {
        g: {k: sum(stages[n][k] or 0 for n in names) for k in ("wall", "cpu")}
        | {"peak_mib": max(stages[n]["peak_mib"] for n in names)}
        for g, names in GROUPS.items()
    }
    wall = _median(runs, "wall")
    return {
        "stages": stages,
        "groups": groups,
        "wall": wall,
        "cpu": _median(runs, "cpu"),
        "peak_mib": max(r["peak_mib"] for r in runs),
        "pipeline_to_floor": wall / floor["total"],
        "study_to_floor": stages["study"]["wall"] / floor["study"],
        "load_to_floor": stages["load"]["wall"] / floor["load"],
        "gx": groups["validate"]["wall"],
    }


def report(result: dict, summary: dict) -> None:
    floor, size = result["floor"], result["size"]
    print(
        f"\n{size:,} patients, {result.get('format', 'csv')} ({len(result['runs'])} run(s), medians; "
        f"load avg {floor['load_average']})"
    )
    print(f"  {'stage':<22} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
    for name, row in summary["stages"].items():
        cpu = "" if row["cpu"] is None else f"{row['cpu']:8.1f}"
        print(f"  {name:<22} {row['wall'] or 0:8.1f} {cpu:>8} {row['peak_mib']:9,.0f}")
    print(f"  {'-- by group':<22}")
    for name, row in summary["groups"].items():
        print(f"  {name:<22} {row['wall']:8.1f} {row['cpu']:8.1f} {row['peak_mib']:9,.0f}")
    print(
        f"  {'whole cohort run':<22} {summary['wall']:8.1f} {summary['cpu']:8.1f} {summary['peak_mib']:9,.0f}"
    )
    print(
        f"  floor: load {floor['load']:.1f} s, checks {floor['checks']:.1f} s, study {floor['study']:.2f} s, "
        f"outputs {floor['outputs']:.2f} s = {floor['total']:.1f} s "
        f"(child: {floor['cpu']:.1f} s CPU, peak {floor['peak_mib']:,.0f} MiB)"
    )
    same = floor["only_floor"] == floor["only_engine"] == 0
    print(
        f"  floor invites {floor['floor_invited']:,}, the run {floor['engine_invited']:,}: "
        + (
            "the same patients"
            if same
            else f"DIFFER ({floor['only_floor']} only in the floor, "
            f"{floor['only_engine']} only in the run)"
        )
    )
    print(
        f"  ratios: cohort run / floor {summary['pipeline_to_floor']:.1f}x (target 2x); "
        f"study stage / floor query {summary['study_to_floor']:.1f}x (target 1.5x); "
        f"loader / floor load {summary['load_to_floor']:.2f}x (target 1.3x); "
        f"GX {summary['gx']:.1f} s; peak {summary['peak_mib'] / 1024:.2f} GiB (target 4 GiB)"
    )


def table(results: list[dict]) -> None:
    """One line per size and format: the figures #16 asks for, medians."""
    print(
        "\nSummary (medians; targets: run/floor 2x, study/floor query 1.5x, load/floor load 1.3x, 4 GiB)"
    )
    print(
        f"  {'patients':>10} {'format':<8} {'run s':>7} {'run/floor':>9} {'study/fq':>8} "
        f"{'load/fl':>7} {'GX s':>6} {'peak GiB':>8}  load avg"
    )
    for r in results:
        s = r["summary"]
        print(
            f"  {r['size']:>10,} {r['format']:<8} {s['wall']:7.1f} {s['pipeline_to_floor']:9.2f} "
            f"{s['study_to_floor']:8.2f} {s['load_to_floor']:7.2f} {s['gx']:6.1f} "
            f"{s['peak_mib'] / 1024:8.2f}  {r['floor']['load_average']}"
        )


def growth(results: list[dict]) -> None:
    print("\nGrowth (microseconds per patient; linear = flat)")
    print(
        f"  {'patients':>10} {'run wall':>9} {'run CPU':>9} {'study':>9} {'floor':>9} {'floor study':>12}"
    )
    for r in results:
        n, s, f = r["size"], r["summary"], r["floor"]
        print(
            f"  {n:>10,} {s['wall'] / n * 1e6:9.1f} {s['cpu'] / n * 1e6:9.1f} "
            f"{s['stages']['study']['wall'] / n * 1e6:9.2f} {f['total'] / n * 1e6:9.1f} "
            f"{f['study'] / n * 1e6:12.2f}"
        )


def main(argv: list[str] | None = None) -> None:
    args = _args(argv)
    print(f"cohort run benchmark on {os.cpu_count()} CPUs, load average {load_average()}; PDFs off")
    results = []
    for size in args.sizes:
        for fmt in args.formats:
            result = bench_size(size, args, fmt)
            result["summary"] = summarise(result)
            report(result, result["summary"])
            results.append(result)
    table(results)
    if len({r["size"] for r in results}) > 1:
        growth([r for r in results if r["format"] == args.formats[0]])
    out = args.data / f"results-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=1))
    print(f"\nResults: {out}")


if __name__ == "__main__":
    main()
