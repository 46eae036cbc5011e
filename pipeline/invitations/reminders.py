"""`cohort remind RUN_ID`: a reminder letter to the people a run wrote to who have not replied.

Who: the run's letters still live in the ledger, less anyone with an outcome
other than ``no_reply`` recorded (replied, declined, complained, ineligible,
undeliverable, died), anyone on the do-not-contact list, and anyone already
reminded for this run (sql/invitations/remind_candidates.sql). When: at least
``after_weeks`` weeks after the run's letters were dated.

What: ``RUN_FOLDER/reminders/REMINDER_ID/`` with ``mailmerge.csv``/``.xlsx`` and
per practice the reminder letters (normal and large print, the practice's
language, each saying when we first wrote), their PDFs and the Word template.
It goes through the commit point as a run does (pipeline/journal.py): the
files are written in a hidden staging folder the journal names first, then
the batch and its letters go into the workspace state (``reminders``,
``reminder_letters``) in one transaction, then the folder is moved into place
(refused, and the batch withdrawn, if it gained files), the batch marked
published and a ``reminder`` entry logged (ids, counts, the hash of its
references and every file's sha256). Ctrl-C waits for that; a crash anywhere
is finished or undone by the next command that can write to the workspace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline import db, journal
from pipeline.audit.verify_state import refs_sha256
from pipeline.errors import UsageError, WorkspaceError
from pipeline.fsutil import private_dir, sha256_file
from pipeline.invitations import pdf
from pipeline.invitations.letters import Pack, uk_date
from pipeline.invitations.outputs import (
    by_practice,
    copy_docx_template,
    fetch,
    list_people,
    practices,
    renderer_for,
    write_table,
)
from pipeline.invitations.practice_settings import store_practice_letters
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
    engine = pdf.renderer(pdf_mode)
    letter_date = letter_date or dt.date.today()
    with ws.lock("remind"):
        ws.recover()
        run, record, refs = _candidates(ws, run_id)
        first = first_letter_date(record)
        _check_timing(run_id, first=first, day=letter_date, weeks=after_weeks)
        if not refs:
            raise UsageError(
                f"run {run_id}: everyone it wrote to has replied, opted out or been reminded; no reminders"
            )
        reminder_id = f"{now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        out = _run_folder(ws, run_id) / "reminders" / reminder_id
        intent = journal.begin(
            ws, kind="reminder", run_id=reminder_id, stage_dir=out.parent / f".{reminder_id}.stage",
            out_dir=out, audit_kind="reminder", details={
                "reminder_id": reminder_id, "run_id": run_id, "letters": len(refs),
                "letters_refs_sha256": refs_sha256(refs),
            },
        )  # fmt: skip
        stage = intent.stage_dir(ws)
        try:
            files = _write(run, record, stage, refs=refs, first=first, day=letter_date,
                           reply_by=letter_date + dt.timedelta(days=reply_days), engine=engine)  # fmt: skip
        except BaseException:
            journal.discard(ws, intent)
            raise
        journal.fault("reminder_written")
        batch = Reminder(reminder_id, run_id, len(refs), first, out, tuple(files))
        done = journal.commit_and_finish(ws, intent, lambda con: _commit(
            con, batch, refs=refs, study=run.study, day=letter_date, weeks=after_weeks,
            stage=intent.stage, out=intent.out,
        ))  # fmt: skip
        if not done.published:
            raise journal.PublishBlocked(
                f"{done.reason}; nothing was published and nobody is marked reminded (logged): "
                f"run cohort remind {run_id} again"
            )
    return batch


def _candidates(ws, run_id: str):
    """The run (published, with its record) and who it may remind."""
    from pipeline.audit.runs import list_runs

    (run,) = list_runs(ws, run_id=run_id)
    if run.status not in ("published", "committed"):
        raise UsageError(
            f"run {run_id} is {run.status}: its letters were not sent; nothing to remind"
        )
    with ws.state(read_only=True) as con:
        refs = [
            r for (r,) in db.run(con, "invitations/remind_candidates", run_id=run_id).fetchall()
        ]
    return run, run.record(), refs


def _run_folder(ws, run_id: str) -> Path:
    """The run's folder, as this workspace stored it (a copied workspace refuses another's)."""
    with ws.state(read_only=True) as con:
        (stored,) = con.execute(
            "SELECT out_dir FROM runs WHERE run_id = $r", {"r": run_id}
        ).fetchone()
    return ws.resolve(stored)


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
    list_people(con)
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


def _commit(con, batch: Reminder, *, refs, study, day, weeks, stage: str, out: str) -> None:
    """The batch and its letters (inside the commit point's transaction), checked again for
    anyone who answered or was reminded meanwhile."""
    again = {
        r for (r,) in db.run(con, "invitations/remind_candidates", run_id=batch.run_id).fetchall()
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
            "id": batch.reminder_id, "run": batch.run_id, "study": study,
            "first": batch.first_letter_date, "day": day, "weeks": weeks, "n": len(refs),
            "at": now(), "by": operator(), "stage": stage, "out": out,
        },
    )  # fmt: skip
    con.executemany(
        "INSERT INTO reminder_letters VALUES (?, ?)", [(batch.reminder_id, r) for r in refs]
    )


# --- the commit point's hooks for `cohort remind` (pipeline/journal.py, HOOKS["reminder"]) ---

KEY = "reminder_id"  # a run may have several reminders: each entry names its own
FAILED = "reminder_failed"  # logged for a batch abandoned before its commit


def published(con, intent) -> None:
    con.execute(
        "UPDATE reminders SET status = 'published' WHERE reminder_id = $id", {"id": intent.run_id}
    )


def facts(ws, intent) -> dict:
    """The reminder entry's files: every file of the batch's folder, with its sha256."""
    out = intent.out_dir(ws)
    found = sorted(p for p in out.rglob("*") if p.is_file()) if out.is_dir() else []
    return {
        "out_dir": intent.out,
        "outputs": {p.relative_to(out).as_posix(): sha256_file(p) for p in found},
    }


def withdraw(con, intent, reason: str) -> int:
    """The batch's folder could not be put in place: nobody is marked reminded by it."""
    (n,) = con.execute(
        "SELECT count(*) FROM reminder_letters WHERE reminder_id = $id", {"id": intent.run_id}
    ).fetchone()
    con.execute("DELETE FROM reminder_letters WHERE reminder_id = $id", {"id": intent.run_id})
    con.execute("DELETE FROM reminders WHERE reminder_id = $id", {"id": intent.run_id})
    return n


def withdrawn_entries(intent, withdrawn: int, reason: str) -> list[tuple[str, dict]]:
    return [("reminder", {
        **intent.details, "status": "withdrawn_unpublished", "letters": 0,
        "reason": f"not published: {reason}"[:500], "letters_withdrawn": withdrawn,
    })]  # fmt: skip


def recover_legacy(ws) -> None:
    """Finish batches an older version committed but did not move into place; remove
    reminder staging folders no journal entry accounts for (call after journal.recover)."""
    with ws.state() as con:
        db.script(con, "invitations/reminder_tables")
        rows = con.execute(
            "SELECT reminder_id, stage_dir, out_dir FROM reminders WHERE status = 'committed'"
        ).fetchall()
        folders = [r for (r,) in con.execute("SELECT out_dir FROM runs").fetchall()]
    for reminder_id, stage, out in rows:
        with contextlib.suppress(WorkspaceError):
            stage_dir, out_dir = ws.resolve(stage), ws.resolve(out)
            if stage_dir.exists() and not out_dir.exists():
                publish_dir(stage_dir, out_dir)
            with ws.state() as con:
                con.execute(
                    "UPDATE reminders SET status = 'published' WHERE reminder_id = $id",
                    {"id": reminder_id},
                )
    for stored in folders:
        with contextlib.suppress(WorkspaceError):
            for stage in (ws.resolve(stored) / "reminders").glob(".*.stage"):
                shutil.rmtree(stage, ignore_errors=True)
