"""One module per command area; each defines register(main). Shared option helpers here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


def iso_date(ctx, param, value):
    """click callback: a YYYY-MM-DD option value as a date (None when not given)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD") from None


def workspace_option(help_text: str = "The workspace the run was made in."):
    """The --workspace option every command that reads or changes a workspace takes."""
    return click.option(
        "--workspace",
        type=click.Path(path_type=Path),
        default=Path("workspace"),
        show_default=True,
        help=help_text,
    )


LETTER_DATE = click.option(
    "--letter-date",
    callback=iso_date,
    metavar="YYYY-MM-DD",
    help="Date printed on the letters (default: today).",
)

PDF = click.option(
    "--pdf",
    "pdf",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    envvar="COHORT_PDF",
    help="letters.pdf and letters_large_print.pdf per practice, printed by headless Chromium "
    "where installed, else WeasyPrint (auto and always: stop at the start if nothing can print "
    "them; never: HTML letters only; env COHORT_PDF).",
)
