"""Efficacy on a calibrated synthetic world: how many letters reach the right people.

For each of several seeds, generates a fresh synthetic world (`cohort synth`),
runs each study of the comparison into its own fresh workspace (`cohort run`), and
measures the letters against the world's truth.csv and the reply model
(pipeline/synth/efficacy.py). Prints, side by side, each figure's mean and 95%
interval over the seeds, with the pilot's Table 1 as the reference column, and
whether the codelist-only search is within 2x of the pilot on enquiries per letter,
eligible share of enquirers and recruits per letter (the world's calibration).

    make efficacy                                  # 5 seeds x 60,000 patients
    make efficacy ARGS="--seeds 2 --patients 20000"   # quick look

Rows whose study file or command-line flag is not on this branch yet are listed as
skipped, not silently left out.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.cli import main as cohort  # noqa: E402
from pipeline.synth import efficacy  # noqa: E402

NO_CAPACITY = ("--max-invites-per-practice", "1000000")


@dataclass(frozen=True)
class Row:
    label: str
    study: str  # study file under the repository root
    args: tuple[str, ...] = ()
    # Used when the study file is missing: (another row's label, a query on its run)
    fallback: tuple[str, str] | None = None
    needs: tuple[str, ...] = field(default=())  # `cohort run` flags the row needs


# Run order (a fallback reads an earlier row's run); printed in DISPLAY order.
ROWS = (
    Row("InStep, no capacity", "studies/instep.yaml", NO_CAPACITY),
    Row(
        "codelist-only",
        "studies/codelist-only.yaml",
        NO_CAPACITY,
        fallback=("InStep, no capacity", efficacy.CODELIST_ONLY),
    ),
    Row("InStep v1 rules", "studies/instep-v1.yaml", NO_CAPACITY),
    Row("InStep, 120/practice", "studies/instep.yaml", ("--max-invites-per-practice", "120")),
)
DISPLAY = ("codelist-only", "InStep v1 rules", "InStep, no capacity", "InStep, 120/practice")
# Flags every run gets when this branch's `cohort run` has them.
SCREENING_OFF = ("--screening", "off", "--reason", "efficacy benchmark: letters without GP review")


def _cohort(*args: str) -> None:
    """One `cohort` command in-process, its output swallowed; raise if it fails."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            cohort.main(list(args), prog_name="cohort", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise RuntimeError(f"cohort {args[0]} failed:\n{out.getvalue()[-2000:]}") from None


def _run_help() -> str:
    out = io.StringIO()
    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(out):
        cohort.main(["run", "--help"], prog_name="cohort", standalone_mode=False)
    return out.getvalue()


def skipped(rows, run_help: str) -> dict[str, str]:
    """Rows that cannot run on this branch, with why."""
    why = {}
    for row in rows:
        if not (ROOT / row.study).exists() and not row.fallback:
            why[row.label] = f"{row.study} is not on this branch"
        missing = [flag for flag in row.needs if flag not in run_help]
        if missing:
            why[row.label] = f"`cohort run` has no {', '.join(missing)} yet"
    return why


def one_seed(
    seed: int, rows, *, work: Path, patients: int, practices: int, common: tuple[str, ...] = ()
) -> dict[str, dict]:
    world = work / f"seed-{seed}"
    shutil.rmtree(world, ignore_errors=True)
    extracts = world / "extracts"
    _cohort("synth", "--practices", str(practices), "--patients", str(patients),
            "--seed", str(seed), "--out", str(extracts))  # fmt: skip
    truth = extracts / "truth.csv"
    found, run_dbs = {}, {}
    for row in rows:
        if not (ROOT / row.study).exists():
            other, where = row.fallback
            found[row.label] = efficacy.measure(
                efficacy.World(run_dbs[other], truth), where, seed=seed
            )
            run_dbs[row.label] = run_dbs[other]
            continue
        ws = world / f"ws-{len(run_dbs)}"
        _cohort("run", str(extracts), "--study", str(ROOT / row.study), "--workspace", str(ws),
                "--pdf", "never", "-q", *common, *row.args)  # fmt: skip
        (run_db,) = ws.glob("runs/*/run.duckdb")
        run_dbs[row.label] = run_db
        found[row.label] = efficacy.measure(efficacy.World(run_db, truth), seed=seed)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=5, help="worlds to generate (default 5)")
    parser.add_argument(
        "--patients", type=int, default=60_000, help="patients per world (default 60,000)"
    )
    parser.add_argument("--practices", type=int, default=3, help="practices per world (default 3)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-data" / "efficacy",
                        help="scratch folder (replaced; default bench-data/efficacy)")  # fmt: skip
    args = parser.parse_args(argv)
    run_help = _run_help()
    why = skipped(ROWS, run_help)
    rows = [r for r in ROWS if r.label not in why]
    common = SCREENING_OFF if "--screening" in run_help else ()
    print(
        f"Efficacy: {args.seeds} seeds x {args.patients:,} patients in {args.practices} practices"
    )
    by_row: dict[str, list[dict]] = {label: [] for label in DISPLAY if label not in why}
    for seed in range(1, args.seeds + 1):
        started = time.perf_counter()
        for label, figures in one_seed(seed, rows, work=args.work, patients=args.patients,
                                       practices=args.practices, common=common).items():  # fmt: skip
            by_row[label].append(figures)
        print(f"  seed {seed}: {time.perf_counter() - started:.0f} s", flush=True)
    print()
    print(efficacy.format_table(by_row))
    print("\nMeans with a 95% interval over the seeds (t distribution).")
    for label, reason in why.items():
        print(f"Skipped {label!r}: {reason}.")
    if "codelist-only" in by_row:
        checks = efficacy.within_pilot(by_row["codelist-only"])
        verdict = ", ".join(f"{k} {'yes' if ok else 'NO'}" for k, ok in checks.items())
        print(f"Codelist-only within 2x of the pilot's Table 1: {verdict}.")
        return 0 if all(checks.values()) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
