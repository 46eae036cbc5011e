"""`make demo`: synthetic practices, the whole pipeline, and where to look.

Generates 9 practices with about 200,000 patients in all (the size of the
practices in the InStep pilot), runs the InStep study on them into a fresh
workspace (search -> GP screening lists), lets a simulated GP decide on the
lists, imports the decisions and releases the letters, and prints where the
invitations, the run report and the audit record are. Then it runs the second
shipped study (studies/t2d.yaml, type 2 diabetes) on the same practices into a
workspace of its own, up to its GP screening lists.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from pipeline.audit import record_demo_outcomes
from pipeline.audit.demo import live_letters
from pipeline.cli import main as cohort
from pipeline.paths import STUDIES_DIR
from pipeline.synth.efficacy import demo_comparison
from pipeline.workspace import Workspace


def _cohort(*args: str) -> None:
    """Run one `cohort` command in-process; stop the demo if it fails."""
    try:
        cohort.main(list(args), prog_name="cohort", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            sys.exit(exc.code)


def _screen_and_release(workspace: Path, truth: Path, decisions: Path) -> None:
    """A simulated GP fills in the run's screening list; import it; release the letters."""
    from pipeline.screening.simulated_gp import simulate_gp

    (run,) = sorted(p for p in (workspace / "runs").iterdir() if not p.name.startswith("."))[-1:]
    gp = simulate_gp(
        truth=truth, screening_list=run / "screening" / "screening_list.csv", out=decisions
    )
    print(
        f"\nA simulated GP reviewed {gp.listed:,} listed people (pipeline/screening/simulated_gp.py: "
        f"an assumed 30% of those in work are known to be): excluded {gp.listed - gp.included:,} "
        f"({', '.join(f'{reason} {n}' for reason, n in gp.excluded.items()) or 'none'}); "
        f"{gp.in_work_excluded} of the {gp.in_work_listed} listed people truly in work."
    )
    _cohort("screen", "import", str(decisions), "--workspace", str(workspace))
    # Letters as HTML and PDF (normal and large print; WeasyPrint on a fresh machine).
    _cohort("release", run.name, "--workspace", str(workspace), "--pdf", "auto")


def practice_details(extracts: Path) -> None:
    """Give each synthetic practice a telephone number (Ofcom's range for drama, 01632 960xxx)
    and an email address (example.org, reserved for examples) for its letters, and make the
    last practice a Welsh one that sends the bilingual Welsh/English letter
    (docs/extract-format.md)."""
    import yaml

    folders = sorted(m.parent for m in extracts.glob("*/manifest.yaml"))
    for number, folder in enumerate(folders, start=1):
        path = folder / "manifest.yaml"
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
        manifest["practice_telephone"] = f"01632 960{number:03d}"
        manifest["practice_email"] = f"{manifest['practice_code'].lower()}.surgery@example.org"
        if folder == folders[-1]:
            manifest["letter_language"] = "welsh-english"
        text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")


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
    practice_details(extracts)
    print("Running the InStep study (search, then GP screening lists) …")
    _cohort(
        "run", str(extracts), "--workspace", str(workspace), "--new-workspace", "--pdf", "never"
    )
    _screen_and_release(workspace, extracts / "truth.csv", args.dir / "gp_decisions.csv")
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
    t2d = args.dir / "workspace-t2d"
    print(
        "\nRunning the second shipped study, type 2 diabetes (studies/t2d.yaml), on the same practices …"
    )
    _cohort(
        "run", str(extracts), "--study", str(STUDIES_DIR / "t2d.yaml"), "--workspace", str(t2d),
        "--new-workspace", "--pdf", "never",
    )  # fmt: skip
    print(f"Its workspace is {t2d}; a GP reviews its screening lists before letters go out.")


if __name__ == "__main__":
    main()
