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


def memory_size(ctx, param, value):
    """click callback: a DuckDB memory_limit such as 8GB, 512MB or 75% (None when not given)."""
    if value is None:
        return None
    import duckdb

    from pipeline import db

    problem = f"'{value}' is not a memory size; write it as e.g. 8GB, 512MB or 75% (of this machine's memory)"
    if not db.MEMORY_SIZE.fullmatch(value):
        raise click.BadParameter(problem)
    try:
        with duckdb.connect() as con:
            con.execute("SET memory_limit = $limit", {"limit": value})
    except duckdb.Error:
        raise click.BadParameter(problem) from None
    return value.strip()


MEMORY_LIMIT = click.option(
    "--memory-limit",
    callback=memory_size,
    metavar="SIZE",
    help="DuckDB's memory_limit for the run database, e.g. 8GB or 75% (default DuckDB's: 80% "
    "of this machine's memory). Beyond it joins and aggregates spill to disk beside run.duckdb; "
    "kept in run_record.json.",
)

THREADS = click.option(
    "--threads",
    type=click.IntRange(min=1),
    metavar="N",
    help="DuckDB threads for the run database (default: one per CPU); kept in run_record.json.",
)
