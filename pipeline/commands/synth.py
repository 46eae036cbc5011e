"""`cohort synth`: write synthetic practice extracts, with truth.csv as their answer key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


def register(main) -> None:
    main.add_command(synth)


@click.command()
@click.option(
    "--practices",
    type=click.IntRange(1, 9999),
    default=3,
    show_default=True,
    help="How many practice folders to write (codes Y90001, Y90002, …).",
)
@click.option(
    "--patients",
    type=click.IntRange(1),
    default=30_000,
    show_default=True,
    help="Patients in all, spread unevenly over the practices (everyone ever registered).",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Random seed: the same arguments always give byte-identical files.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to create (or an empty one) for the practice folders and truth.csv.",
)
@click.option(
    "--extract-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Extract date written in every manifest, YYYY-MM-DD.  [default: 2025-03-31]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="File format of the patients, events and medications tables.",
)
@click.option(
    "--threads",
    type=click.IntRange(1),
    default=None,
    help="Practices written at once.  [default: one per CPU]",
)
def synth(
    practices: int,
    patients: int,
    seed: int,
    out: Path,
    extract_date: dt.datetime | None,
    fmt: str,
    threads: int | None,
) -> None:
    """Write synthetic GP practice extracts in the extract format (docs/extract-format.md).

    Each practice folder holds manifest.yaml, patients, events and medications, with
    UK names and addresses, NHS numbers from the 999 test range, and clinical records
    shaped like a GP list's: dated work histories, chronic pain with onset and
    resolution, fit notes, benefit and employment-status codes, type 2 diabetes
    with HbA1c and eGFR values. OUT/truth.csv holds what each patient's record may
    not show (work status and since when, out of work because of pain, wants work,
    eligible and why not), for checking a study's results. Every rate and its
    source: docs/synthetic-world.md. No real patient's data is used.
    """
    from pipeline.synth import DEFAULT_EXTRACT_DATE, SynthOptions, generate

    options = SynthOptions(
        practices=practices,
        patients=patients,
        seed=seed,
        out=out,
        extract_date=extract_date.date() if extract_date else DEFAULT_EXTRACT_DATE,
        fmt=fmt,
    )
    result = generate(options, threads=threads)
    rows = result.rows
    click.echo(
        f"Wrote {len(result.practices)} practices to {out}: {rows['patients']:,} patients, "
        f"{rows['events']:,} events, {rows['medications']:,} prescription issues "
        f"in {result.seconds:.1f} s; answer key in {out / 'truth.csv'}"
    )
