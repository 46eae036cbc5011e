"""`cohort rollback RUN_ID`: withdraw a run whose letters were never sent (docs/invitations.md)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("rollback")
@click.argument("run_id")
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=Path("workspace"),
    show_default=True,
    help="The workspace the run was made in.",
)
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
    The run folder keeps its files and gains ROLLED_BACK.txt: do not post them.
    """
    from pipeline.invitations.ledger import mark_folder, rollback_run
    from pipeline.workspace import Workspace, operator

    ws = Workspace.open(workspace, create=False)
    with ws.lock("rollback"):
        ws.recover()
        with ws.state() as con:
            summary = rollback_run(con, run_id=run_id, reason=reason, operator=operator())
        record_audit(ws, summary.audit_entry())
        mark_folder(summary)
    click.echo(
        f"Run {summary.run_id} rolled back: {summary.withdrawn} invitation(s) at {summary.practices} "
        f"practice(s) withdrawn; those patients can be invited again. Do not post the letters in {summary.out_dir}."
    )


def record_audit(workspace, entry: dict) -> None:
    """Append ENTRY (ids and counts only) to the workspace audit log.

    The boundary for the hash-chained audit log (pipeline/audit/, not built
    yet): until it lands, the rollback is recorded in the ledger itself
    (runs.status, rolled_back_at, rolled_back_by, rollback_reason).
    """


def register(main) -> None:
    main.add_command(rollback_command)
