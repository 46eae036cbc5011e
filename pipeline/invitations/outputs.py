"""Everything a run hands to people, written into the run's staging folder.

Run folder: ``mailmerge.csv`` and ``mailmerge.xlsx``, ``quarantine.csv``
(always, even if empty), ``nurse_list.csv`` and ``nurse_list.xlsx``,
``deferred.csv``; and for every practice in the run, ``practices/CODE/`` with
that practice's ``mailmerge.csv``/``.xlsx``, the Word template
``mailmerge_letter.docx``, ``quarantine.csv``, ``letters.html``,
``letters_large_print.html`` and their PDFs (docs/invitations.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.invitations import pdf
from pipeline.invitations.csvfiles import write_csv
from pipeline.invitations.letter_text import letter_text
from pipeline.invitations.letters import LetterRenderer, Pack, Practice, uk_date
from pipeline.invitations.practice_settings import store_practice_letters
from pipeline.invitations.render_jobs import (  # noqa: F401 (DOCX_TEMPLATE, copy_docx_template: kept importable here)
    DOCX_TEMPLATE,
    ListJob,
    PracticeJob,
    Words,
    copy_docx_template,
    run_jobs,
)
from pipeline.invitations.spreadsheets import write_xlsx

log = logging.getLogger(__name__)

Table = tuple[list[str], list[tuple]]
# Files of a run folder that could be mailed or used to contact people: what a rollback
# or a failed validation removes, the reminders' (pipeline/invitations/reminders.py) too.
MAILABLE = (
    "mailmerge.csv",
    "mailmerge.xlsx",
    "nurse_list.csv",
    "nurse_list.xlsx",
    "practices/*/mailmerge.csv",
    "practices/*/mailmerge.xlsx",
    "practices/*/letters*.html",
    "practices/*/letters*.pdf",
    "reminders/*/mailmerge.*",
    "reminders/*/practices/*/mailmerge.*",
    "reminders/*/practices/*/reminders*",
)
# (file stem, pack): every practice gets each of these letter packs.
PACKS = (("letters", Pack()), ("letters_large_print", Pack(large_print=True)))


def list_people(con: duckdb.DuckDBPyConnection) -> None:
    """The list_people view over CON's invitations: the people columns every list selects
    (mail-merge, nurse's and GP screening lists), defined once in sql/invitations/list_people.sql."""
    db.script(con, "invitations/list_people")


def write_outputs(
    con: duckdb.DuckDBPyConnection,
    stage_dir: Path,
    *,
    study,
    letter_date: dt.date,
    reply_by: dt.date,
    pdf_mode: str = "never",
    manifests: Sequence | None = None,
    progress=None,
    workers: int | None = None,
) -> list[Path]:
    """Write the run's lists and letters into STAGE_DIR; return the files written.

    PDF_MODE: ``auto``/``always`` print each letters.html to PDF (UsageError when
    nothing can), ``never`` skips the PDFs. MANIFESTS give each practice's
    telephone, email and letter language (kept in ``practice_letters``).
    PROGRESS (pipeline.progress.Progress) is told each practice's letters.
    WORKERS: processes writing the files (render_jobs.run_jobs; default: by size).
    """
    stage_dir = Path(stage_dir)
    engine = pdf.renderer(pdf_mode)
    store_practice_letters(con, manifests)
    words = words_for(study)
    dates = {"letter_date": uk_date(letter_date), "reply_by": uk_date(reply_by)}
    list_people(con)
    merge = fetch(con, "invitations/mailmerge_rows", **dates)
    quarantine = fetch(con, "invitations/quarantine_rows")
    merge_by, quarantine_by = by_practice(merge), by_practice(quarantine)
    every = practices(con)
    jobs = [
        ListJob(stage_dir / "mailmerge", *merge),
        ListJob(stage_dir / "quarantine", *quarantine, csv_only=True),
        ListJob(
            stage_dir / "nurse_list", *fetch(con, "invitations/nurse_rows"), sheet="nurse list"
        ),
        ListJob(stage_dir / "deferred", *fetch(con, "invitations/deferred_rows"), csv_only=True),
        *(
            PracticeJob(
                folder=stage_dir / "practices" / p.code,
                practice=p,
                columns=merge[0],
                rows=merge_by[p.code],
                quarantine=(quarantine[0], quarantine_by[p.code]),
                packs=PACKS,
                day=letter_date,
                reply_by=reply_by,
            )
            for p in every
        ),
    ]
    if progress is not None:
        progress.set_total(len(every), unit="practices")

    def done(job) -> None:
        if progress is not None and isinstance(job, PracticeJob):
            progress.advance(job.practice.code, letters_written=len(job.rows))

    results = run_jobs(jobs, words, workers=workers, done=done)
    files = [f for r in results for f in r.files]
    htmls = [pack for r in results for pack in r.packs]
    return files + ([] if engine is None else pdf.print_all(htmls, engine=engine))


def words_for(study) -> Words:
    return Words(
        letter_text(study),
        study_title=getattr(study, "title", study.name),
        study_source=getattr(study, "source", None),
    )


def renderer_for(study) -> LetterRenderer:
    return words_for(study).renderer()


def write_table(stem: Path, table: Table, *, sheet: str = "mailmerge") -> list[Path]:
    """STEM.csv and STEM.xlsx holding TABLE."""
    return [
        write_csv(stem.with_suffix(".csv"), *table),
        write_xlsx(stem.with_suffix(".xlsx"), *table, sheet=sheet),
    ]


def fetch(con, name: str, **params) -> Table:
    cursor = db.run(con, name, **params)
    return [d[0] for d in cursor.description], cursor.fetchall()


def by_practice(table: Table) -> defaultdict[str, list[tuple]]:
    columns, rows = table
    at = columns.index("practice_code")
    grouped: defaultdict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[at]].append(row)
    return grouped


def practices(con) -> list[Practice]:
    rows = db.run(con, "invitations/run_practices").fetchall()
    return [
        Practice(
            code=code, name=name, address=tuple(address), telephone=tel, email=email, language=lang
        )
        for code, name, address, tel, email, lang in rows
    ]
