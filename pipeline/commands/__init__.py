"""One module per command area; each defines register(main). Shared option helpers here."""

from __future__ import annotations

import datetime as dt

import click


def iso_date(ctx, param, value):
    """click callback: a YYYY-MM-DD option value as a date (None when not given)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD") from None
