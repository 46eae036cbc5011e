"""`cohort validate EXTRACT...`: run only the extract validation suites (docs/validation.md)."""

from __future__ import annotations

from pathlib import Path

import click


def register(main) -> None:
    main.add_command(validate_command)


@click.command("validate")
@click.argument("extracts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for results.json and results.html (default: print only).",
)
def validate_command(extracts: tuple[Path, ...], out: Path | None) -> None:
    """Load EXTRACT folders into memory and run the patients, events and medications suites.

    Prints a summary; exits 6 when a blocking expectation fails. Nothing is
    written unless --out is given, and the results hold counts only.
    """
    from pipeline import db
    from pipeline.extract import load_extracts
    from pipeline.validation import EXTRACT_SUITES, run_suites

    con = db.connect()
    try:
        load_extracts(con, list(extracts))
        summary = run_suites(con, EXTRACT_SUITES, out_dir=out)
    finally:
        con.close()
    click.echo(summary.text())
    if out is not None:
        click.echo(f"Results: {out / 'results.html'}")
    summary.raise_if_blocking()
