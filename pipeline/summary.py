"""What `cohort run` prints at the end: the outcome, the attrition, validation,
and where each file is (the run report first: it is the one to open).

Printed on stdout with click, so it reads the same in a terminal, a log file
or an e-mail from cron (colour only on a terminal). Counts here are for the
operator at the practice and are not suppressed; the shareable view is
report.html.
"""

from __future__ import annotations

from pathlib import Path

import click

# (file in the run folder, what to call it) in the order a data manager needs them.
FILES = (
    ("report.html", "Run report (open in a browser)"),
    ("mailmerge.csv", "Invitations (mail merge)"),
    ("mailmerge.xlsx", "Invitations (spreadsheet)"),
    ("screening", "GP screening lists (no letters)"),
    ("practices", "Letters per practice"),
    ("quarantine.csv", "Quarantine (correct, then re-run)"),
    ("run_record.json", "Audit record"),
)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{seconds:.1f} s"


def headline(state) -> str:
    practices = len(state.load.manifests) if state.load is not None else None
    where = f" from {practices} practice{'s' if practices != 1 else ''}" if practices else ""
    took = f" in {_duration(sum(state.timings.values()))}" if state.timings else ""
    plural = "" if state.invited == 1 else "s"
    if state.screening.get("mode") == "required":
        people = "person" if state.invited == 1 else "people"
        return (
            f"Run {state.run_id} finished{took}: {state.invited:,} {people}{where} listed for GP screening; "
            f"no letters yet (cohort screen import, then cohort release {state.run_id})."
        )
    return f"Run {state.run_id} finished{took}: {state.invited:,} invitation{plural}{where}."


def _ignored_records(state) -> str:
    """Records dated after the extract date, one line per practice."""
    load = state.load
    by_practice: dict[str, list[str]] = {}
    for (code, table), n in sorted((load.future_records if load else {}).items()):
        if n:
            by_practice.setdefault(code, []).append(f"{table} {n:,}")
    if not by_practice:
        return ""
    lines = [f"  {code}: {', '.join(parts)}" for code, parts in by_practice.items()]
    return "\n".join(
        ["Records dated after the extract date (kept, ignored by every rule):", *lines]
    )


def print_files(out: Path) -> None:
    """Where the run's files are, one per line, the ones that exist."""
    click.echo("Where to look:")
    for name, label in FILES:
        path = out / name
        if path.exists():
            click.echo(f"  {label + ':':<36}{path}{'/' if path.is_dir() else ''}")


def print_summary(state, *, quiet: bool = False) -> None:
    """The end-of-run summary of a run that finished (QUIET: outcome and files only)."""
    if not quiet:
        click.echo()
        if state.attrition_text:
            click.echo(state.attrition_text + "\n")
        for summary in state.validation:
            text = summary.text() if hasattr(summary, "text") else ""
            if text:
                click.echo(text + "\n")
        if ignored := _ignored_records(state):
            click.echo(ignored + "\n")
    if state.warnings:  # even with --quiet: they may be a reason not to send the letters
        click.secho(
            f"{len(state.warnings)} warning(s) before letters go out (also in the run report):",
            fg="yellow",
        )
        for warning in state.warnings:
            click.secho(f"  - {warning}", fg="yellow")
    click.secho(headline(state), bold=True, fg="green")
    print_files(Path(state.out_dir))


def print_failed_run(out_dir: Path | None) -> None:
    """After a run stopped at validation: where its kept results and report are (stderr)."""
    if out_dir is None or not Path(out_dir).exists():
        return
    report = Path(out_dir) / "report.html"
    shown = report if report.exists() else Path(out_dir) / "validation" / "results.html"
    click.secho(
        "The run stopped at validation; nothing was invited and no letters were written.",
        fg="red",
        err=True,
    )
    click.echo(f"  What failed, and the run's counts: {shown}", err=True)
