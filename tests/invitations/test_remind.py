"""`cohort remind RUN_ID`: reminders only to people who have not answered, committed like a run."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pytest
from audit import rundb as R
from audit.conftest import base_workspace, html_letters_only, ws  # noqa: F401 (fixtures)
from click.testing import CliRunner

from pipeline.audit import outcomes
from pipeline.audit.log import read_entries
from pipeline.audit.verify import verify_workspace
from pipeline.cli import main
from pipeline.errors import UsageError
from pipeline.invitations.reminders import remind

LATER = dt.date.today() + dt.timedelta(weeks=3)


def refs_in(path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["invite_ref"] for row in csv.DictReader(fh)}


def state_rows(workspace, sql):
    con = duckdb.connect(str(workspace.state_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_reminder_is_refused_before_the_weeks_are_up(ws):  # noqa: F811 (the audit tests' fixture)
    with pytest.raises(
        UsageError, match=r"run run1's letters are dated .*: a reminder 3 weeks later"
    ):
        remind(ws, "run1", letter_date=LATER - dt.timedelta(days=1), pdf_mode="never")
    assert not (ws.runs_dir / "run1" / "reminders").exists() or not any(
        (ws.runs_dir / "run1" / "reminders").iterdir()
    )


def test_reminders_skip_who_replied_declined_or_complained_and_are_recorded(ws):  # noqa: F811 (the audit tests' fixture)
    said = [("p1", "replied", None), ("p5", "complaint", "in_work")]
    outcomes.record_many(
        ws, [outcomes.Outcome(R.invite_ref(ws, p), o, r) for p, o, r in said], source="test"
    )
    outcomes.record_many(ws, [outcomes.Outcome(R.invite_ref(ws, "p6"), "no_reply")], source="test")
    batch = remind(ws, "run1", letter_date=LATER, pdf_mode="never")
    assert batch.letters == 1
    folder = ws.runs_dir / "run1" / "reminders" / batch.reminder_id
    assert refs_in(folder / "mailmerge.csv") == {R.invite_ref(ws, "p6")}  # no_reply still gets one
    html = (folder / "practices" / R.PRACTICE / "reminders.html").read_text()
    assert "Reminder." in html and "We wrote to you on" in html and R.invite_ref(ws, "p6") in html
    assert (folder / "practices" / R.PRACTICE / "reminders_large_print.html").is_file()
    assert state_rows(ws, "SELECT status, letters FROM reminders") == [("published", 1)]
    assert state_rows(ws, "SELECT invite_ref FROM reminder_letters") == [(R.invite_ref(ws, "p6"),)]
    assert read_entries(ws.audit_path)[-1]["kind"] == "reminder"
    assert verify_workspace(ws).ok
    assert not list(folder.parent.glob(".*.stage"))
    # nobody is reminded twice
    with pytest.raises(
        UsageError, match="everyone it wrote to has replied, opted out or been reminded"
    ):
        remind(ws, "run1", letter_date=LATER, pdf_mode="never")


def test_the_command_says_what_it_wrote(ws):  # noqa: F811 (the audit tests' fixture)
    result = CliRunner().invoke(
        main,
        [
            "remind",
            "run1",
            "--workspace",
            str(ws.root),
            "--letter-date",
            LATER.isoformat(),
            "--pdf",
            "never",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "for run run1: 3 letter(s) to people who have not replied" in result.output
