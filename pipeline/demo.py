"""`make demo`: synthetic practices, the whole pipeline, and where to look.

Generates 9 practices with about 200,000 patients in all (the size of the
practices in the InStep pilot), runs the InStep study on them into a fresh
workspace, and prints where the invitations, the run report and the audit
record are.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from pipeline.audit import record_demo_outcomes
from pipeline.audit.demo import live_letters
from pipeline.cli import main as cohort
from pipeline.synth.efficacy import demo_comparison
from pipeline.workspace import Workspace


def _cohort(*args: str) -> None:
    """Run one `cohort` command in-process; stop the demo if it fails."""
    try:
        cohort.main(list(args), prog_name="cohort", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            sys.exit(exc.code)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--dir", type=Path, default=Path("demo"), help="where the demo writes (replaced)"
    )
    parser.add_argument("--practices", type=int, default=9)
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    if args.dir.exists():
        shutil.rmtree(args.dir)
    extracts, workspace = args.dir / "extracts", args.dir / "workspace"
    print(
        f"Generating {args.practices} synthetic practices ({args.patients:,} patients) in {extracts} …"
    )
    _cohort(
        "synth",
        "--practices",
        str(args.practices),
        "--patients",
        str(args.patients),
        "--seed",
        str(args.seed),
        "--out",
        str(extracts),
    )
    print("Running the InStep study …")
    # Letters as HTML only: printing ~17,000 letters to PDF with headless Chromium
    # takes far longer than the rest of the demo (`cohort run --pdf always` makes them).
    _cohort("run", str(extracts), "--workspace", str(workspace), "--pdf", "never")
    print("\nRecording synthetic replies (from the generator's truth.csv) …")
    outcomes = record_demo_outcomes(
        Workspace.open(workspace), extracts / "truth.csv", seed=args.seed
    )
    print(
        f"Recorded {outcomes.recorded} outcome(s); {outcomes.do_not_contact} person(s) added to the "
        "do-not-contact list. The yield report the research team would see:"
    )
    _cohort("report", "yield", "--workspace", str(workspace))
    print(
        "\nHow well the letters hit the people the study is for, against the world's truth.csv "
        "(docs/synthetic-world.md; `make efficacy` for 5 worlds with intervals):"
    )
    (run_db,) = sorted(workspace.glob("runs/*/run.duckdb"))[-1:]
    letters = [(code, pid) for _, code, pid in live_letters(Workspace.open(workspace))]
    print(demo_comparison(run_db, extracts / "truth.csv", seed=args.seed, letters=letters))
    print(f"\nThe demo workspace is {workspace}; its runs are in {workspace / 'runs'}.")


if __name__ == "__main__":
    main()
