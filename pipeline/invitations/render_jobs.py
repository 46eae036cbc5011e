"""The render stage's work as independent jobs, run in turn or on every core.

One job writes one list for the whole run (``mailmerge.csv``/``.xlsx``,
``nurse_list.csv``/``.xlsx``); one job writes one practice's folder (its lists,
the Word template and its letter packs). Jobs share nothing but the rows they
are given, so a run with many letters hands them to worker processes (one per
core, at most ``MOST_WORKERS``), largest first; a small run writes them in this
process, where starting workers would cost more than it saves. Either way every
file is written the same way (owner-only, atomically) into the stage folder,
which journal.py publishes as a whole (docs/scaling.md).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import PRIVATE_FILE, private_dir
from pipeline.invitations.csvfiles import write_csv
from pipeline.invitations.letter_text import LetterText
from pipeline.invitations.letters import LANGUAGES, LetterRenderer, Pack, Practice
from pipeline.invitations.spreadsheets import write_xlsx
from pipeline.paths import TEMPLATES_DIR

# Below this many letters (invitations) a run writes its files in one process.
PARALLEL_FROM = 5_000
MOST_WORKERS = 4
DOCX_TEMPLATE = TEMPLATES_DIR / "mailmerge_letter.docx"

_renderer: LetterRenderer | None = None  # each worker's own, made once (_start_worker)


@dataclass(frozen=True)
class Words:
    """What a LetterRenderer is made from: sent to each worker, which makes its own."""

    text: LetterText
    study_title: str
    study_source: str | None

    def renderer(self) -> LetterRenderer:
        return LetterRenderer(
            self.text, study_title=self.study_title, study_source=self.study_source
        )


@dataclass(frozen=True)
class ListJob:
    """One of the run's lists: STEM.csv (and STEM.xlsx unless CSV_ONLY)."""

    stem: Path
    columns: Sequence[str]
    rows: list[tuple]
    sheet: str = "mailmerge"
    csv_only: bool = False

    @property
    def size(self) -> int:
        return len(self.rows) * (1 if self.csv_only else 3)


@dataclass(frozen=True)
class PracticeJob:
    """One practice's folder: quarantine.csv, mailmerge.csv/.xlsx, the Word template and
    the letter packs of PACKS, dated DAY and REPLY_BY."""

    folder: Path
    practice: Practice
    columns: Sequence[str]
    rows: list[tuple]
    quarantine: tuple[Sequence[str], list[tuple]]
    packs: tuple[tuple[str, Pack], ...]
    day: dt.date
    reply_by: dt.date

    @property
    def size(self) -> int:
        return len(self.rows) * (3 + 2 * len(self.packs))


@dataclass(frozen=True)
class Done:
    """What a job wrote: FILES, and the letter packs (html, pages) a printer may turn into PDF."""

    files: list[Path]
    packs: list[tuple[Path, int]]


def list_files(job: ListJob) -> Done:
    files = [write_csv(job.stem.with_suffix(".csv"), job.columns, job.rows)]
    if not job.csv_only:
        files.append(
            write_xlsx(job.stem.with_suffix(".xlsx"), job.columns, job.rows, sheet=job.sheet)
        )
    return Done(files, [])


def practice_files(job: PracticeJob, renderer: LetterRenderer) -> Done:
    folder = private_dir(job.folder)
    files = [write_csv(folder / "quarantine.csv", *job.quarantine)]
    files += list_files(ListJob(folder / "mailmerge", job.columns, job.rows)).files
    files.append(copy_docx_template(folder))
    letters = [dict(zip(job.columns, row, strict=True)) for row in job.rows]
    pages = len(letters) * len(LANGUAGES.get(job.practice.language, ("en",)))
    packs = []
    for stem, pack in job.packs:
        html = renderer.write(
            folder / f"{stem}.html", job.practice, letters, day=job.day, reply_by=job.reply_by,
            pack=pack,
        )  # fmt: skip
        files.append(html)
        packs += [(html, pages)] if letters else []  # shared out by size
    return Done(files, packs)


def copy_docx_template(folder: Path) -> Path:
    """The Word mail-merge letter whose fields are mailmerge.csv's columns."""
    target = folder / DOCX_TEMPLATE.name
    shutil.copyfile(DOCX_TEMPLATE, target)
    target.chmod(PRIVATE_FILE)
    return target


def run_jobs(
    jobs: Sequence[ListJob | PracticeJob],
    words: Words,
    *,
    workers: int | None = None,
    done: Callable[[ListJob | PracticeJob], None] | None = None,
) -> list[Done]:
    """Run JOBS (in worker processes when there are enough letters); their results in
    JOBS' order. DONE is called with each job as it finishes. WORKERS: how many
    processes (default: one per core the process may use, at most MOST_WORKERS; 1 or
    a run of fewer than PARALLEL_FROM letters: none, all here)."""
    letters = sum(len(j.rows) for j in jobs if isinstance(j, PracticeJob))
    workers = workers if workers is not None else (0 if letters < PARALLEL_FROM else cores())
    if workers <= 1 or len(jobs) < 2:
        renderer = words.renderer()
        results = []
        for job in jobs:
            results.append(_run(job, renderer))
            if done is not None:
                done(job)
        return results
    return _in_workers(jobs, words, workers=min(workers, len(jobs)), done=done)


def cores() -> int:
    return max(1, min(len(os.sched_getaffinity(0)), MOST_WORKERS))


def _in_workers(jobs, words: Words, *, workers: int, done) -> list[Done]:
    # spawn, not fork: the parent holds DuckDB's threads and locks
    context = multiprocessing.get_context("spawn")
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].size)  # largest first
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(words,)
    )
    try:
        futures = {pool.submit(_in_worker, jobs[i]): i for i in order}
        results: dict[int, Done] = {}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                results[futures[future]] = future.result()  # a job's error stops the stage
                if done is not None:
                    done(jobs[futures[future]])
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # no job left writing into the stage
        raise
    pool.shutdown(wait=True)
    return [results[i] for i in range(len(jobs))]


def _start_worker(words: Words) -> None:
    global _renderer
    _renderer = words.renderer()


def _in_worker(job: ListJob | PracticeJob) -> Done:
    assert _renderer is not None, "worker not started with _start_worker"
    return _run(job, _renderer)


def _run(job: ListJob | PracticeJob, renderer: LetterRenderer) -> Done:
    if isinstance(job, PracticeJob):
        return practice_files(job, renderer)
    return list_files(job)
