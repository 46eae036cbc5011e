"""What bench_pipeline.py prints: per size, format and engine a stage table, the floor and
the #16 ratios; then one summary line each, and microseconds per patient (flat = linear)."""

from __future__ import annotations


def _limit(result: dict) -> str:
    limit = result.get("memory_limit")
    settings = result.get("duckdb") or {}
    if not limit:
        return f"memory_limit DuckDB's default ({settings.get('memory_limit', '?')})"
    return f"memory_limit {limit} (DuckDB: {settings.get('memory_limit', '?')})"


def _loads(pair) -> str:
    return " -> ".join(pair) if isinstance(pair, list | tuple) else str(pair)


def report(result: dict, summary: dict) -> None:
    floor, size = result["floor"], result["size"]
    print(
        f"\n{size:,} patients, {result['format']}, engine {result['engine']} "
        f"({len(result['runs'])} run(s), medians; {_limit(result)}; "
        f"load avg during the runs {', '.join(_loads(r['load_average']) for r in result['runs'])})"
    )
    print(f"  {'stage':<22} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
    for name, row in summary["stages"].items():
        if row["wall"] is None:
            continue
        cpu = "" if row["cpu"] is None else f"{row['cpu']:8.1f}"
        print(f"  {name:<22} {row['wall']:8.1f} {cpu:>8} {row['peak_mib']:9,.0f}")
    print(f"  {'-- by group':<22}")
    for name, row in summary["groups"].items():
        print(f"  {name:<22} {row['wall']:8.1f} {row['cpu']:8.1f} {row['peak_mib']:9,.0f}")
    print(
        f"  {'whole cohort run':<22} {summary['wall']:8.1f} {summary['cpu']:8.1f} "
        f"{summary['peak_mib']:9,.0f}"
    )
    print(
        f"  the run invites {result['invited']:,} patients; resident memory of the run with its "
        f"child processes (a Spark JVM) at step ends: up to {summary['tree_rss_mib']:,.0f} MiB"
    )
    if floor is None:
        print("  no floor (--no-floor)")
    else:
        _floor(result, floor)
    if "versus" in result:  # another engine's invitees against the duckdb run's
        v = result["versus"]
        print("  " + _same(f"the {result['engine']} run", v["invited"], v["only_this"],
                           "the duckdb run", v["duckdb_invited"], v["only_duckdb"]))  # fmt: skip
    print(
        f"  ratios: cohort run / floor {_x(summary['pipeline_to_floor'])} (target 2x); "
        f"study stage / floor query {_x(summary['study_to_floor'])} (target 1.5x); "
        f"loader / floor load {_x(summary['load_to_floor'])} (target 1.3x); "
        f"GX {summary['gx']:.1f} s; peak {summary['peak_mib'] / 1024:.2f} GiB (target 4 GiB)"
    )


def _floor(result: dict, floor: dict) -> None:
    print(
        f"  floor: load {floor['load']:.1f} s, checks {floor['checks']:.1f} s, "
        f"study {floor['study']:.2f} s, outputs {floor['outputs']:.2f} s = {floor['total']:.1f} s "
        f"(child: {floor['cpu']:.1f} s CPU, peak {floor['peak_mib']:,.0f} MiB; "
        f"memory_limit {floor.get('memory_limit') or 'default'}; "
        f"load avg {_loads(floor['load_average'])})"
    )
    f = floor
    print("  " + _same("the floor", f["floor_invited"], f["only_floor"],
                       "the duckdb run", f["engine_invited"], f["only_engine"]))  # fmt: skip


def _x(value) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _same(a: str, n_a: int, only_a: int, b: str, n_b: int, only_b: int) -> str:
    verdict = (
        "the same patients"
        if only_a == only_b == 0
        else f"DIFFER ({only_a} only in {a}, {only_b} only in {b})"
    )
    return f"{a} invites {n_a:,}, {b} {n_b:,}: {verdict}"


def table(results: list[dict]) -> None:
    """One line per size, format and engine: the figures #16 asks for, medians."""
    print(
        "\nSummary (medians; targets: run/floor 2x, study/floor query 1.5x, "
        "load/floor load 1.3x, 4 GiB)"
    )
    print(
        f"  {'patients':>10} {'format':<8} {'engine':<7} {'run s':>7} {'run CPU':>7} "
        f"{'run/floor':>9} {'study/fq':>8} {'load/fl':>7} {'GX s':>6} {'peak GiB':>8} "
        f"{'mem limit':>9}  load avg (runs; floor)"
    )
    for r in results:
        s = r["summary"]
        print(
            f"  {r['size']:>10,} {r['format']:<8} {r['engine']:<7} {s['wall']:7.1f} "
            f"{s['cpu']:7.1f} {_x(s['pipeline_to_floor']):>9} {_x(s['study_to_floor']):>8} "
            f"{_x(s['load_to_floor']):>7} {s['gx']:6.1f} {s['peak_mib'] / 1024:8.2f} "
            f"{r.get('memory_limit') or '-':>9}  "
            f"{'; '.join(_loads(x['load_average']) for x in r['runs'])}; "
            f"{_loads(r['floor']['load_average']) if r['floor'] else 'no floor'}"
        )


def growth(results: list[dict]) -> None:
    print("\nGrowth (microseconds per patient; linear = flat)")
    print(
        f"  {'patients':>10} {'format':<8} {'run wall':>9} {'run CPU':>9} {'study':>9} "
        f"{'floor':>9} {'floor study':>12}"
    )
    for r in sorted(results, key=lambda r: (r["format"], r["size"])):
        n, s, f = r["size"], r["summary"], r["floor"]
        study = s["stages"]["study"]["wall"]
        floor = f"{f['total'] / n * 1e6:9.1f} {f['study'] / n * 1e6:12.2f}" if f else ""
        print(
            f"  {n:>10,} {r['format']:<8} {s['wall'] / n * 1e6:9.1f} {s['cpu'] / n * 1e6:9.1f} "
            f"{'' if study is None else f'{study / n * 1e6:9.2f}':>9} {floor}"
        )
