"""`cohort remind RUN_ID`: a reminder letter to the people a run wrote to who have not replied.

Who: the run's letters still live in the ledger, less anyone with an outcome
other than ``no_reply`` recorded (replied, declined, complained, ineligible,
undeliverable, died), anyone on the do-not-contact list, and anyone already
reminded for this run (sql/invitations/remind_candidates.sql). When: at least
``after_weeks`` weeks after the run's letters were dated.

What: ``RUN_FOLDER/reminders/REMINDER_ID/`` with ``mailmerge.csv``/``.xlsx`` and
per practice the reminder letters (normal and large print, the practice's
language, each saying when we first wrote), their PDFs and the Word template.
It is committed like a run: the files are written in a hidden staging folder,
then the batch and its letters go into the workspace state (``reminders``,
``reminder_letters``) in one transaction, then the folder is moved into place
and the batch marked published (the next ``cohort remind`` finishes a move a
crash interrupted). The audit log gets a ``reminder`` entry (ids and counts).
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import UsageError, WorkspaceError
from pipeline.fsutil import private_dir
from pipeline.invitations import pdf
from pipeline.invitations.letters import Pack, uk_date
from pipeline.invitations.outputs import (
    by_practice,
    fetch,
    practices,
    renderer_for,
    write_table,
)
from pipeline.invitations.practice_settings import store_practice_letters
from pipeline.invitations.render_jobs import copy_docx_template
from pipeline.workspace import now, operator, publish_dir

PACKS = (("reminders", False), ("reminders_large_print", True))


@dataclass(frozen=True)
class Reminder:
    """What `cohort remind` did: ids, dates and counts only."""

    reminder_id: str
    run_id: str
    letters: int
    first_letter_date: dt.date
    out_dir: Path
    files: tuple[Path, ...] = ()


def remind(
    ws,
    run_id: str,
    *,
    after_weeks: int = 3,
    letter_date: dt.date | None = None,
    reply_days: int = 21,
    pdf_mode: str = "auto",
) -> Reminder:
    """Write and commit the reminders of RUN_ID; UsageError when it is too soon or nobody is left."""
    from pipeline.audit.runs import list_runs

    engine = pdf.renderer(pdf_mode)
    letter_date = letter_date or dt.date.today()
    with ws.lock("remind"):
        with ws.state() as con:
            db.script(con, "invitations/reminder_tables")
            _recover(ws, con)
        (run,) = list_runs(ws, run_id=run_id)
        if run.status not in ("published", "committed"):
            raise UsageError(
                f"run {run_id} is {run.status}: its letters were not sent; nothing to remind"
            )
        record = run.record()
        first = first_letter_date(record)
        _check_timing(run_id, first=first, day=letter_date, weeks=after_weeks)
        with ws.state(read_only=True) as con:
            refs = [
                r for (r,) in db.run(con, "invitations/remind_candidates", run_id=run_id).fetchall()
            ]
        if not refs:
            raise UsageError(
                f"run {run_id}: everyone it wrote to has replied, opted out or been reminded; no reminders"
            )
        reminder_id = f"{now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        out = run.out_dir / "reminders" / reminder_id
        stage = private_dir(out.parent / f".{reminder_id}.stage")
        try:
            files = _write(run, record, stage, refs=refs, first=first, day=letter_date,
                           reply_by=letter_date + dt.timedelta(days=reply_days), engine=engine)  # fmt: skip
            batch = Reminder(reminder_id, run_id, len(refs), first, out, tuple(files))
            _commit(
                ws,
                batch,
                refs=refs,
                study=run.study,
                day=letter_date,
                weeks=after_weeks,
                stage=stage,
            )
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        _publish(ws, reminder_id, stage, out)
    return batch


def first_letter_date(record: dict) -> dt.date:
    """The date on a run's letters: its --letter-date, else the day it finished."""
    given = (record.get("options") or {}).get("letter_date")
    when = given or (record.get("finished_at") or record.get("started_at") or "")[:10]
    if not when:
        raise WorkspaceError("the run has no run record saying when its letters were dated")
    return dt.date.fromisoformat(when)


def _check_timing(run_id: str, *, first: dt.date, day: dt.date, weeks: int) -> None:
    due = first + dt.timedelta(weeks=weeks)
    if day < due:
        raise UsageError(
            f"run {run_id}'s letters are dated {first}: a reminder {weeks} weeks later can be dated "
            f"{due} or after, not {day}; wait, or give --after-weeks or --letter-date"
        )


def _write(run, record, stage: Path, *, refs, first, day, reply_by, engine) -> list[Path]:
    """The reminder lists and letters for REFS, from the run database, into STAGE."""
    from pipeline.codelists.repository import load_repository
    from pipeline.study.model import load_study

    study = load_study(record["options"]["study_path"], repository=load_repository())
    con = duckdb.connect()
    try:
        con.execute("ATTACH $path AS run_db (READ_ONLY)", {"path": str(run.db_path)})
        db.script(con, "invitations/remind_tables")
        db.run(con, "invitations/remind_invitations", refs=refs)
        _practice_letters(con)
        con.execute("DETACH run_db")
        return _files(
            con, stage, study=study, first=first, day=day, reply_by=reply_by, engine=engine
        )
    finally:
        con.close()


def _practice_letters(con) -> None:
    (n,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'run_db' AND table_name = 'practice_letters'"
    ).fetchone()
    if n:
        con.execute("CREATE TABLE practice_letters AS SELECT * FROM run_db.practice_letters")
    else:
        store_practice_letters(con, [])


def _files(con, stage: Path, *, study, first, day, reply_by, engine) -> list[Path]:
    renderer = renderer_for(study)
    merge = fetch(
        con, "invitations/mailmerge_rows", letter_date=uk_date(day), reply_by=uk_date(reply_by)
    )
    files = write_table(stage / "mailmerge", merge)
    rows_by, htmls = by_practice(merge), []
    for practice in practices(con):
        rows = rows_by[practice.code]
        if not rows:
            continue
        folder = private_dir(stage / "practices" / practice.code)
        files += [*write_table(folder / "mailmerge", (merge[0], rows)), copy_docx_template(folder)]
        letters = [dict(zip(merge[0], row, strict=True)) for row in rows]
        for stem, large in PACKS:
            pack = Pack(large_print=large, first_letter=first)
            html = renderer.write(
                folder / f"{stem}.html", practice, letters, day=day, reply_by=reply_by, pack=pack
            )
            files.append(html)
            htmls.append((html, len(letters)))
    return files + ([] if engine is None else pdf.print_all(htmls, engine=engine))


def _commit(ws, batch: Reminder, *, refs, study, day, weeks, stage: Path) -> None:
    """The batch and its letters in one transaction, checked again for anyone reminded meanwhile."""
    with ws.state() as con:
        con.begin()
        try:
            again = {
                r
                for (r,) in db.run(
                    con, "invitations/remind_candidates", run_id=batch.run_id
                ).fetchall()
            }
            if not set(refs) <= again:
                raise WorkspaceError(
                    f"run {batch.run_id}: outcomes or reminders were recorded while the reminders were "
                    "written; nothing was committed: run cohort remind again"
                )
            con.execute(
                "INSERT INTO reminders VALUES ($id, $run, $study, 'committed', $first, $day, $weeks, $n, "
                "$at, $by, $stage, $out)",
                {
                    "id": batch.reminder_id,
                    "run": batch.run_id,
                    "study": study,
                    "first": batch.first_letter_date,
                    "day": day,
                    "weeks": weeks,
                    "n": len(refs),
                    "at": now(),
                    "by": operator(),
                    "stage": str(stage),
                    "out": str(batch.out_dir),
                },  # fmt: skip
            )
            con.executemany(
                "INSERT INTO reminder_letters VALUES (?, ?)", [(batch.reminder_id, r) for r in refs]
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise


def _publish(ws, reminder_id: str, stage: Path, out: Path) -> None:
    from pipeline.audit.log import append_entry

    publish_dir(stage, out)
    with ws.state() as con:
        con.execute(
            "UPDATE reminders SET status = 'published' WHERE reminder_id = $id", {"id": reminder_id}
        )
        run_id, n = con.execute(
            "SELECT run_id, letters FROM reminders WHERE reminder_id = $id", {"id": reminder_id}
        ).fetchone()
    append_entry(ws, "reminder", {"reminder_id": reminder_id, "run_id": run_id, "letters": n})


def _recover(ws, con) -> None:
    """Finish the move of a batch a crash left committed but unpublished; drop orphaned stages."""
    rows = con.execute(
        "SELECT reminder_id, stage_dir, out_dir FROM reminders WHERE status = 'committed'"
    ).fetchall()
    for reminder_id, stage, out in rows:
        if Path(stage).exists() and not Path(out).exists():
            publish_dir(Path(stage), Path(out))
        con.execute(
            "UPDATE reminders SET status = 'published' WHERE reminder_id = $id", {"id": reminder_id}
        )
