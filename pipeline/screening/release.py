"""`cohort release RUN_ID`: the letters of a screened run, for the people a GP included.

Once every listed person has a GP decision, the release writes
``mailmerge.csv``, ``nurse_list.csv`` and ``practices/CODE/`` (letters,
per-practice lists) into the run folder, for the included only, and
``screening/release_record.json`` (every decision by reference). As a run
does, it goes through the commit point (pipeline/journal.py): the files are
built in a staging folder (``RUN/.release-staging``) the journal names first,
the ledger is committed in one transaction (included: ``active``; excluded:
``screened_out``; the run: ``screening = 'released'``), then each file is
moved into the run folder (refused, and the release undone, if the folder
already has one of them) and the ``release`` entry is logged with every
file's sha256 and the hashes of the included and excluded references. Ctrl-C
waits for that; a crash anywhere is finished or undone by the next command.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipeline import db, journal
from pipeline.errors import StudyError, WorkspaceError
from pipeline.fsutil import atomic_write_text, fsync_dir, private_dir, sha256_file
from pipeline.workspace import now

STAGE = ".release-staging"
KEPT = ("quarantine.csv", "deferred.csv", "screening")  # the run wrote these already
LAST = "mailmerge.csv"  # moved last: it marks a release done
RECORD = "screening/release_record.json"


@dataclass(frozen=True)
class ReleaseSummary:
    """What a release did: ids, counts, reason codes and file hashes only."""

    run_id: str
    study: str
    included: int
    excluded: dict[str, int]
    out_dir: str
    outputs: dict[str, str]
    decisions: tuple[tuple[str, str, str | None], ...]


def release_run(
    ws,
    *,
    run_id: str,
    operator: str,
    letter_date: dt.date | None = None,
    reply_days: int = 21,
    pdf_mode: str = "auto",
) -> ReleaseSummary:
    """Release RUN_ID of workspace WS (the caller holds the workspace lock and has recovered it)."""
    with ws.state() as con:
        study_name, out_dir = _releasable(con, run_id)
        decisions = db.run(con, "screening/decisions_for_run", run_id=run_id).fetchall()
    out = ws.resolve(out_dir)  # stored relative to the workspace (pipeline/workspace.py)
    stage = out / STAGE
    shutil.rmtree(stage, ignore_errors=True)  # an older version's leftover
    summary = _summary(run_id, study_name, out, decisions)
    release_id = f"{run_id}.release-{now():%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    intent = journal.begin(
        ws, kind="release", run_id=release_id, stage_dir=stage, out_dir=out, audit_kind="release",
        details={"release_id": release_id, **_details(summary)}, merge=True,
    )  # fmt: skip
    try:
        included = [ref for ref, decision, _reason in summary.decisions if decision == "include"]
        day = letter_date or dt.date.today()
        _write_letters(
            out, stage, refs=included, letter_date=day, reply_days=reply_days, pdf_mode=pdf_mode
        )
        _write_record(stage, summary, operator=operator)
    except BaseException:
        journal.discard(ws, intent)
        raise
    journal.fault("release_written")
    done = journal.commit_and_finish(
        ws, intent, lambda con: _commit(con, run_id=run_id, operator=operator)
    )
    if not done.published:
        raise journal.PublishBlocked(
            f"{done.reason}; the release was undone (logged): its people wait for their letters "
            f"again; clear that, then run cohort release {run_id} again"
        )
    return replace(summary, outputs=released_files(out))


def _details(summary: ReleaseSummary) -> dict:
    """What the release entry says before its files exist: ids, counts and ledger hashes."""
    from pipeline.audit.verify_state import refs_sha256

    chosen = {d: [ref for ref, decision, _ in summary.decisions if decision == d]
              for d in ("include", "exclude")}  # fmt: skip
    return {
        "run_id": summary.run_id,
        "study": summary.study,
        "included": summary.included,
        "excluded": summary.excluded,
        "included_refs_sha256": refs_sha256(chosen["include"]),
        "excluded_refs_sha256": refs_sha256(chosen["exclude"]),
    }


def _releasable(con, run_id: str) -> tuple[str, str]:
    row = db.run(con, "screening/release_find", run_id=run_id).fetchone()
    if row is None:
        raise WorkspaceError(
            f"no run {run_id} in this workspace; check the run id (its folder name under runs/)"
        )
    _, study, status, screening, out_dir, released_at, listed, decided = row
    if status == "rolled_back":
        raise WorkspaceError(f"run {run_id} was rolled back; it cannot be released")
    if screening == "released":
        raise WorkspaceError(
            f"run {run_id} was already released at {released_at:%Y-%m-%d %H:%M} UTC; its letters are in {out_dir}"
        )
    if screening != "awaiting":
        raise WorkspaceError(
            f"run {run_id} had no GP screening ({screening or 'before screening existed'}); "
            "its letters were written by the run itself"
        )
    if decided < listed:
        undecided = db.run(con, "screening/undecided_practices", run_id=run_id).fetchall()
        shown = ", ".join(f"{code} ({n})" for code, n in undecided)
        raise WorkspaceError(
            f"run {run_id}: {listed - decided} of {listed} listed people have no GP decision yet "
            f"(practice: {shown}); import the filled-in screening lists with `cohort screen import` first"
        )
    return study, out_dir


def _write_letters(out: Path, stage: Path, *, refs, letter_date, reply_days, pdf_mode) -> None:
    from pipeline.invitations import write_outputs

    study = _study(out)
    con = db.connect()
    try:
        db.run(con, "invitations/attach_run", path=str(out / "run.duckdb"))
        db.run(con, "screening/release_rows", refs=refs)
        db.script(con, "screening/release_tables")
        if con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'rundb' AND table_name = 'practice_letters'"
        ).fetchone()[0]:
            db.script(con, "screening/release_practice_letters")
        db.run(con, "invitations/detach_run")
        write_outputs(
            con,
            stage,
            study=study,
            letter_date=letter_date,
            reply_by=letter_date + dt.timedelta(days=reply_days),
            pdf_mode=pdf_mode,
        )
    finally:
        con.close()
    for name in KEPT:  # the run wrote these already; the release adds only its letters and lists
        path = stage / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _study(out: Path):
    """The study as the run used it: the file named in its run record, unchanged since."""
    from pipeline.study.model import load_study

    record = json.loads((out / "run_record.json").read_text(encoding="utf-8"))
    info = record.get("study") or {}
    study = load_study(Path(info.get("file") or ""))
    if info.get("sha256") and study.sha256 != info["sha256"]:
        raise StudyError(
            f"{study.source}: changed since the run was made (its letter words may differ); "
            "restore the study file the run used (run_record.json names its sha256), then release"
        )
    return study


def _summary(run_id: str, study: str, out: Path, decisions: list[tuple]) -> ReleaseSummary:
    excluded = Counter(reason for _r, _c, decision, reason in decisions if decision == "exclude")
    return ReleaseSummary(
        run_id=run_id,
        study=study,
        included=sum(1 for _r, _c, decision, _x in decisions if decision == "include"),
        excluded=dict(sorted(excluded.items())),
        out_dir=str(out),
        outputs={},
        decisions=tuple((ref, decision, reason) for ref, _c, decision, reason in decisions),
    )


def _write_record(stage: Path, summary: ReleaseSummary, *, operator: str) -> None:
    record = {
        "format": "cohort-finder release record v1",
        "run_id": summary.run_id,
        "study": summary.study,
        "released_at": now().isoformat(),
        "released_by": operator,
        "included": summary.included,
        "excluded": summary.excluded,
        "decisions": [
            {"screening_ref": ref, "decision": decision, "reason": reason}
            for ref, decision, reason in summary.decisions
        ],
    }
    path = stage / RECORD
    private_dir(path.parent)
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def _commit(con: duckdb.DuckDBPyConnection, *, run_id: str, operator: str) -> None:
    """The release's state change, inside the commit point's transaction."""
    db.run(con, "screening/release_ledger", run_id=run_id)
    db.run(con, "screening/release_run", run_id=run_id, at=now(), operator=operator, stage=None)


def released_files(out: Path) -> dict[str, str]:
    """The files a release put in the run folder, with their sha256."""
    found = [out / RECORD, *out.glob("nurse_list.*"), *out.glob("mailmerge.*")]
    found += sorted(p for p in (out / "practices").rglob("*") if p.is_file())
    return {p.relative_to(out).as_posix(): sha256_file(p) for p in found if p.is_file()}


# --- the commit point's hooks for `cohort release` (pipeline/journal.py, HOOKS["release"]) ---

KEY = "release_id"  # the entry names the release by its own id (a run may be released again
FAILED = "release_failed"  # after a withdrawn release); logged for one abandoned before its commit


def published(con, intent) -> None:
    """Nothing to mark: the run became 'released' in the commit transaction."""


def facts(ws, intent) -> dict:
    """The release entry's files: every file it put in the run folder, with its sha256."""
    return {"out_dir": intent.out, "outputs": released_files(intent.out_dir(ws))}


def withdraw(con, intent, reason: str) -> int:
    """The letters could not be put in the run folder: everyone waits for release again."""
    run_id = intent.details["run_id"]
    undone = db.run(con, "screening/release_withdraw_ledger", run_id=run_id).fetchall()
    db.run(con, "screening/release_withdraw_run", run_id=run_id)
    return len(undone)


def withdrawn_entries(intent, withdrawn: int, reason: str) -> list[tuple[str, dict]]:
    return [("release", {
        **intent.details, "status": "withdrawn_unpublished",
        "reason": f"not published: {reason}"[:500], "ledger_rows_restored": withdrawn,
    })]  # fmt: skip


# --- releases an older version left half-done (no journal entry) ------------------------


def _finish_legacy(out: Path, stage: Path) -> dict[str, str]:
    """Move an older version's release files from STAGE into the run folder OUT."""
    if stage.exists():
        record = stage / RECORD
        if record.exists():
            os.replace(record, out / RECORD)
        names = sorted(p.name for p in stage.iterdir() if p.name not in (*KEPT, LAST))
        for name in [*names, LAST]:
            if (stage / name).exists():
                os.replace(stage / name, out / name)
        fsync_dir(out)
        shutil.rmtree(stage, ignore_errors=True)
    return released_files(out)


def recover_legacy(ws) -> list[str]:
    """Finish releases an older version committed but did not finish moving (logging each
    as recovered); remove release staging folders no journal entry accounts for (call after
    journal.recover). Returns the runs finished."""
    from pipeline.screening.audit import log_release

    done = []
    with ws.state() as con:
        pending = db.run(con, "screening/release_pending").fetchall()
        awaiting = db.run(con, "screening/awaiting_runs").fetchall()
    for run_id, study, out_dir, stage in pending:
        outputs = _finish_legacy(ws.resolve(out_dir), ws.resolve(stage))
        log_release(ws, run_id=run_id, study=study, outputs=outputs, recovered=True)
        with ws.state() as con:
            db.run(con, "screening/release_done", run_id=run_id)
        done.append(run_id)
    for _run_id, out_dir in awaiting:
        with contextlib.suppress(WorkspaceError):  # a folder outside a copied workspace
            shutil.rmtree(ws.resolve(out_dir) / STAGE, ignore_errors=True)
    return done
