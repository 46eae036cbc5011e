"""`cohort screen import FILE` and `cohort release RUN_ID`: GP screening before letters
(docs/invitations.md, "GP screening")."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.commands import LETTER_DATE, PDF, workspace_option

WORKSPACE = workspace_option()


@click.group("screen")
def screen_group() -> None:
    """GP screening: record a GP's decisions on a run's screening list."""


@screen_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@WORKSPACE
def import_command(file: Path, workspace: Path) -> None:
    """Record the GP's decision on every person of a screening list.

    FILE is a run's screening_list.csv (the whole run's, or one practice's) with
    `decision` filled in for every row: include, or exclude with a `reason`
    (bereavement, serious_illness, safeguarding, in_work, or other with
    `reason_text`). A file with a missing row, an unknown person or an unknown
    decision or reason is refused whole, naming each row. Importing the same
    people again replaces their decisions until the run is released.
    """
    from pipeline.screening import import_decisions
    from pipeline.screening.audit import log_import
    from pipeline.workspace import Workspace, operator

    ws = Workspace.open(workspace, create=False)
    with ws.lock("screen import"):
        ws.recover()
        with ws.state() as con:
            summary = import_decisions(con, file, operator=operator())
        log_import(ws, summary, file_name=Path(file).name)
    excluded = sum(summary.excluded.values())
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary.excluded.items())
    click.echo(
        f"Imported {summary.included + excluded} decision(s) for run {summary.run_id} "
        f"(practice {', '.join(summary.practices)}): {summary.included} included, {excluded} excluded"
        + (f" ({reasons})" if reasons else "")
        + f". When every practice's list is in: cohort release {summary.run_id}"
    )


@click.command("release")
@click.argument("run_id")
@WORKSPACE
@LETTER_DATE
@PDF
def release_command(run_id: str, workspace: Path, letter_date, pdf: str) -> None:
    """Write the letters of screened run RUN_ID for the people the GP included.

    Needs a GP decision for every listed person (`cohort screen import`). Writes
    mailmerge.csv, nurse_list.csv and practices/CODE/ letters into the run folder,
    and screening/release_record.json; people the GP excluded get no letter and are
    not listed for this study again (they are not put on the do-not-contact list).
    """
    from pipeline.screening import release_run
    from pipeline.workspace import Workspace, operator

    ws = Workspace.open(workspace, create=False)
    with ws.lock("release"):
        ws.recover()
        summary = release_run(
            ws, run_id=run_id, operator=operator(), letter_date=letter_date, pdf_mode=pdf
        )
    excluded = sum(summary.excluded.values())
    click.echo(
        f"Run {run_id} released: {summary.included} letter(s) written to {summary.out_dir} "
        f"(mailmerge.csv, practices/); {excluded} person(s) screened out by the GP get no letter."
    )


def register(main) -> None:
    main.add_command(screen_group)
    main.add_command(release_command)
