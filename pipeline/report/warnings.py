"""Warnings a data manager must see before letters go out; `cohort run` and `cohort check` show the same.

- **Stale extract**: the letters are dated more than STALE_AFTER_DAYS after a
  practice's extract date. People may have died, moved or left the practice
  since: take a fresh extract.
- **Index date before the data**: a practice's index date is before its first
  record (event or prescription), so every look-back window sees nothing.
- **Unreviewed codelists**: a codelist version the run uses has no reviewer.

Each warning is one line naming practices, dates and codelists only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb

from pipeline import db

STALE_AFTER_DAYS = 90
NOT_REVIEWED = {"", "none", "not reviewed", "null", "-"}


def find_warnings(
    con: duckdb.DuckDBPyConnection,
    *,
    codelists: Iterable,
    letter_date: dt.date,
    index_date: dt.date | None = None,
) -> list[str]:
    """Every warning for the practices loaded in CON, the CODELISTS used and LETTER_DATE."""
    rows = db.run(con, "report/warnings_dates", index_date=index_date).fetchall()
    return [
        *stale_extracts(rows, letter_date=letter_date),
        *index_before_data(rows),
        *unreviewed(codelists),
    ]


def stale_extracts(rows, *, letter_date: dt.date) -> list[str]:
    stale = [
        (code, extract)
        for code, extract, _, _ in rows
        if _days(extract, letter_date) > STALE_AFTER_DAYS
    ]
    if not stale:
        return []
    code, extract = min(stale, key=lambda row: row[1])
    more = f" (and {len(stale) - 1} more practices)" if len(stale) > 1 else ""
    return [
        f"stale extract: letters dated {letter_date} are {_age(extract, letter_date)} after practice "
        f"{code}'s extract date {extract}{more}; people may have died or moved since: "
        "take a fresh extract before sending"
    ]


def index_before_data(rows) -> list[str]:
    early = [(c, i, f) for c, _, i, f in rows if f is not None and i < f]
    return [
        f"index date before the data: practice {code}'s index date {index} is before its first record "
        f"({first}), so the rules' look-back windows see nothing; use a later --index-date"
        for code, index, first in early
    ]


def unreviewed(codelists: Iterable) -> list[str]:
    names = sorted(
        f"{c.name} v{c.version}"
        for c in codelists
        if str(getattr(c.governance, "reviewer", "") or "").strip().lower() in NOT_REVIEWED
    )
    if not names:
        return []
    return [
        f"unreviewed codelists: {', '.join(names)} have no reviewer; have a clinician review them "
        "(`cohort codelists show NAME`) before letters go out"
    ]


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def _age(start: dt.date, end: dt.date) -> str:
    """``20 months`` / ``45 days``: how long after START is END, in plain words."""
    days = _days(start, end)
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months >= 24:
        return f"{months // 12} years"
    return f"{months} months" if months >= 2 else f"{days} days"
