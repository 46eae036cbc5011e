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

Rows (issue #14 item 4): codelist-only (studies/codelist-only.yaml once it exists,
until then the pilot's search read from the v1 run's population flags); InStep v1
rules (benchmarks/studies/instep-v1.yaml, frozen); InStep v2 evidence
(studies/instep.yaml, no capacity);
+ ranking at 120 letters per practice; + GP screening (the letters of the ranking row
after the simulated GP of pipeline/screening/simulated_gp.py). Every run gets
`--screening off` when `cohort run` has it. Rows that cannot run on this branch are
listed as skipped, not silently left out.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.cli import main as cohort  # noqa: E402
from pipeline.synth import efficacy  # noqa: E402

NO_CAPACITY = ("--max-invites-per-practice", "1000000")
V1 = "benchmarks/studies/instep-v1.yaml"  # InStep before the version 2 additions, frozen


@dataclass(frozen=True)
class Row:
    label: str
    study: str  # study file under the repository root
    args: tuple[str, ...] = ()
    # Letters taken from another row's run instead of a run of its own: (that row's
    # label, "codelist" for the pilot's search from its population flags, or "screen"
    # for its letters after the simulated GP's review). A "codelist" row runs STUDY
    # itself once that file exists.
    derive: tuple[str, str] | None = None


SHIPPED = "studies/instep.yaml"  # InStep with the version 2 additions


def _rules(path: Path) -> dict:
    """A study file's content without its capacity (the snapshots have none)."""
    study = yaml.safe_load(path.read_text(encoding="utf-8"))
    study.pop("capacity_per_practice", None)
    return study


def make_rows(v2: str) -> tuple[Row, ...]:
    """The comparison's rows in run order (derived rows read an earlier row's run)."""
    return (
        Row("InStep v1 rules", V1, NO_CAPACITY),
        Row(
            "codelist-only",
            "studies/codelist-only.yaml",
            NO_CAPACITY,
            derive=("InStep v1 rules", "codelist"),
        ),  # fmt: skip
        Row("InStep v2 evidence", v2, NO_CAPACITY),
        Row("+ ranking, 120/practice", v2, ("--max-invites-per-practice", "120")),
        Row("+ GP screening", v2, derive=("+ ranking, 120/practice", "screen")),
    )


ROWS = make_rows(SHIPPED)
DISPLAY = tuple(r.label for r in (ROWS[1], ROWS[0], *ROWS[2:]))
# Flags every run gets when this branch's `cohort run` has them: the runs measure the
# search; the "+ GP screening" row applies the simulated GP to the letters itself.
SCREENING_OFF = ("--screening", "off", "--reason", "efficacy benchmark: letters without GP review")


def simulated_gp():
    """The screening engineer's simulated GP (pipeline/screening/simulated_gp.py), if here."""
    try:
        from pipeline.screening import simulated_gp as gp
    except ImportError:
        return None
    return gp


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


def skipped(rows) -> dict[str, str]:
    """Rows that cannot run on this branch, with why."""
    why = {}
    for row in rows:
        study = ROOT / row.study
        if not study.exists() and not row.derive:
            why[row.label] = f"{row.study} is not on this branch"
        elif row.study == SHIPPED and _rules(study) == _rules(ROOT / V1):
            why[row.label] = f"{row.study} still has the version 1 rules"
        elif row.derive and row.derive[1] == "screen" and simulated_gp() is None:
            why[row.label] = (
                "the simulated GP (pipeline/screening/simulated_gp.py) is not on this branch"
            )
    for row in rows:
        if row.derive and row.derive[0] in why and row.label not in why:
            why[row.label] = f"it needs the {row.derive[0]!r} row"
    return why


def _screened(seed: int):
    """Keep the letters the simulated GP includes (seeded like the world)."""
    gp = simulated_gp()

    def keep(rows: list[dict]) -> list[dict]:
        truth = {(r["practice_code"], r["patient_id"]): r for r in rows}
        decided = gp.screen_people(list(truth), truth, gp.GPAssumptions(seed=seed))
        return [r for r in rows if decided[(r["practice_code"], r["patient_id"])][0] == "include"]

    return keep


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
        if row.derive and (row.derive[1] == "screen" or not (ROOT / row.study).exists()):
            other, kind = row.derive
            run_dbs[row.label] = run_dbs[other]
            where = efficacy.CODELIST_ONLY if kind == "codelist" else efficacy.LETTERS
            keep = _screened(seed) if kind == "screen" else None
            found[row.label] = efficacy.measure(
                efficacy.World(run_dbs[other], truth), where, seed=seed, keep=keep
            )
            continue
        ws = world / f"ws-{len(run_dbs)}"
        _cohort("run", str(extracts), "--study", str(ROOT / row.study), "--workspace", str(ws),
                "--new-workspace", "--pdf", "never", "-q", *common, *row.args)  # fmt: skip
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
    all_rows = ROWS
    why = skipped(all_rows)
    rows = [r for r in all_rows if r.label not in why]
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
