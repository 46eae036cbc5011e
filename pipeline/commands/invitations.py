"""`cohort rollback RUN_ID`: withdraw a run whose letters were never sent; `cohort remind RUN_ID`:
reminder letters to those who have not replied (docs/invitations.md)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.commands import LETTER_DATE, PDF, workspace_option


@click.command("rollback")
@click.argument("run_id")
@workspace_option()
@click.option(
    "--reason",
    required=True,
    metavar="TEXT",
    help="Why the letters were not sent (kept in the ledger; write no patient details).",
)
def rollback_command(run_id: str, workspace: Path, reason: str) -> None:
    """Withdraw run RUN_ID's invitations because its letters were never sent.

    Its patients become invitable again in the next run. Refused once any of the
    run's invitations has an outcome recorded (then its letters were sent).
    Its letters, mail-merge lists and nurse's list are removed from the run
    folder, which gains ROLLED_BACK.txt.
    """
    from pipeline import journal
    from pipeline.audit.entries import rollback_details
    from pipeline.invitations.rollback import mark_folder, rollback_run
    from pipeline.workspace import Workspace, operator

    ws = Workspace.open(workspace, create=False)
    with ws.lock("rollback"):
        ws.recover()
        # the ledger change and its audit entry become visible together (pipeline/journal.py)
        with journal.logged_change(ws, "rollback") as (con, entries):
            summary = rollback_run(
                con, run_id=run_id, reason=reason, operator=operator(), ws=ws, in_transaction=True
            )
            entries.append(("rollback", rollback_details(
                run_id=summary.run_id, reason=summary.reason, invitations=summary.withdrawn,
                files_removed=summary.files_removed,
            )))  # fmt: skip
        mark_folder(summary)
    click.echo(
        f"Run {summary.run_id} rolled back: {summary.withdrawn} invitation(s) at {summary.practices} "
        f"practice(s) withdrawn and {len(summary.files_removed)} mailable file(s) removed from "
        f"{summary.out_dir}; those patients can be invited again."
    )


@click.command("remind")
@click.argument("run_id")
@workspace_option()
@click.option(
    "--after-weeks",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Weeks after the first letters before a reminder may be dated.",
)
@LETTER_DATE
@PDF
def remind_command(run_id: str, workspace: Path, after_weeks: int, letter_date, pdf: str) -> None:
    """Write reminder letters for run RUN_ID to the people who have not replied.

    Never to anyone with an outcome recorded other than no_reply (replied,
    declined, complained, ineligible, undeliverable, died), anyone on the
    do-not-contact list, or anyone already reminded for the run. The reminders
    go in RUN_FOLDER/reminders/REMINDER_ID/ and are recorded in the workspace.
    """
    from pipeline.invitations.reminders import remind
    from pipeline.workspace import Workspace

    ws = Workspace.open(workspace, create=False)
    batch = remind(ws, run_id, after_weeks=after_weeks, letter_date=letter_date, pdf_mode=pdf)
    click.echo(
        f"Reminder {batch.reminder_id} for run {batch.run_id}: {batch.letters} letter(s) to people who "
        f"have not replied to the letters dated {batch.first_letter_date}, in {batch.out_dir}."
    )


def register(main) -> None:
    main.add_command(rollback_command)
    main.add_command(remind_command)
