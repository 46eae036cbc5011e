"""What `cohort run` prints at the end: attrition, validation and where the files are."""

from __future__ import annotations

import click


def print_summary(state, *, quiet: bool = False) -> None:
    if state.attrition_text and not quiet:
        click.echo(state.attrition_text)
    for summary in state.validation:
        text = summary.text() if hasattr(summary, "text") else ""
        if text and not quiet:
            click.echo(text)
    out = state.out_dir
    click.echo(f"Run {state.run_id}: {state.invited} invitation(s).")
    click.echo(f"  Invitations (mail merge): {out / 'mailmerge.csv'}")
    click.echo(f"  Letters per practice:     {out / 'practices'}")
    click.echo(f"  Quarantine:               {out / 'quarantine.csv'}")
    for name, label in (("report.html", "Run report"), ("run_record.json", "Audit record")):
        if (out / name).exists():
            click.echo(f"  {label + ':':<26}{out / name}")
