"""Everything a run hands to people, written into the run's staging folder.

Run folder: ``mailmerge.csv``, ``quarantine.csv`` (always, even if empty),
``nurse_list.csv``, ``deferred.csv``; and for every practice in the run,
``practices/CODE/`` with that practice's ``mailmerge.csv``, ``quarantine.csv``,
``letters.html`` and, when Chromium is installed, ``letters.pdf``
(docs/invitations.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import UsageError
from pipeline.fsutil import atomic_write_text, private_dir
from pipeline.invitations import pdf
from pipeline.invitations.csvfiles import write_csv
from pipeline.invitations.letter_text import letter_text
from pipeline.invitations.letters import LetterRenderer, Practice, uk_date

log = logging.getLogger(__name__)
# Chromium processes printing at once: each mostly waits on its own start-up.
PDF_WORKERS = min(3, os.cpu_count() or 1)

Table = tuple[list[str], list[tuple]]


def write_outputs(
    con: duckdb.DuckDBPyConnection,
    stage_dir: Path,
    *,
    study,
    letter_date: dt.date,
    reply_by: dt.date,
    pdf_mode: str = "auto",
) -> list[Path]:
    """Write the run's lists and letters into STAGE_DIR; return the files written.

    PDF_MODE: ``auto`` prints letters.pdf when headless Chromium is installed,
    ``always`` fails the run when it is not, ``never`` skips the PDFs.
    """
    stage_dir = Path(stage_dir)
    renderer = LetterRenderer(
        letter_text(study),
        study_title=getattr(study, "title", study.name),
        study_source=getattr(study, "source", None),
    )
    dates = {"letter_date": uk_date(letter_date), "reply_by": uk_date(reply_by)}
    merge = _fetch(con, "invitations/mailmerge_rows", **dates)
    quarantine = _fetch(con, "invitations/quarantine_rows")
    files = [
        write_csv(stage_dir / "mailmerge.csv", *merge),
        write_csv(stage_dir / "quarantine.csv", *quarantine),
        write_csv(stage_dir / "nurse_list.csv", *_fetch(con, "invitations/nurse_rows")),
        write_csv(stage_dir / "deferred.csv", *_fetch(con, "invitations/deferred_rows")),
    ]
    packs: list[tuple[Path, int]] = []
    merge_by, quarantine_by = _by_practice(merge), _by_practice(quarantine)
    for practice in _practices(con):
        folder = private_dir(stage_dir / "practices" / practice.code)
        rows = merge_by[practice.code]
        files.append(
            write_csv(folder / "quarantine.csv", quarantine[0], quarantine_by[practice.code])
        )
        files.append(write_csv(folder / "mailmerge.csv", merge[0], rows))
        letters = [dict(zip(merge[0], row, strict=True)) for row in rows]
        html = renderer.render(practice, letters, letter_date=letter_date, reply_by=reply_by)
        atomic_write_text(folder / "letters.html", html)
        files.append(folder / "letters.html")
        packs += [(folder / "letters.html", len(letters))] if letters else []
    return files + ([] if pdf_mode == "never" else print_pdfs(packs, required=pdf_mode == "always"))


def print_pdfs(packs: list[tuple[Path, int]], *, required: bool = False) -> list[Path]:
    """letters.pdf beside each (letters.html, letter count), a few at a time; or a warning saying what to install."""
    browser = pdf.chromium()
    if packs and browser is None and required:
        raise UsageError(f"--pdf always: headless Chromium is not installed; {pdf.INSTALL_HINT}")
    if packs and browser is None:
        log.warning(
            "letters.pdf not made: headless Chromium is not installed; %s, or print letters.html from a browser",
            pdf.INSTALL_HINT,
        )
        return []

    def one(pack: tuple[Path, int]) -> bool:
        html, letters = pack
        return pdf.html_to_pdf(
            html, html.with_suffix(".pdf"), browser=browser, timeout=pdf.time_limit(letters)
        )

    with ThreadPoolExecutor(max_workers=PDF_WORKERS) as pool:
        made = list(pool.map(one, packs))
    return [html.with_suffix(".pdf") for (html, _), ok in zip(packs, made, strict=True) if ok]


def _fetch(con, name: str, **params) -> Table:
    cursor = db.run(con, name, **params)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _by_practice(table: Table) -> defaultdict[str, list[tuple]]:
    columns, rows = table
    at = columns.index("practice_code")
    grouped: defaultdict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[at]].append(row)
    return grouped


def _practices(con) -> list[Practice]:
    rows = db.run(con, "invitations/run_practices").fetchall()
    return [Practice(code=code, name=name, address=tuple(address)) for code, name, address in rows]
