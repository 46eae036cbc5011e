"""`cohort check EXTRACT`: load and validate an extract and say what a run would do.

Runs the check's stages (pipeline/stages.py: CHECK, the same stages `cohort
run` starts with) on an in-memory database (nothing is written): reads the study,
loads the extract, sets the index dates, validates the extract, compiles the
study's codelists against the codes seen, and prints: patients per practice, records after the extract (or index)
date, the date range of events and prescriptions, the coding systems used, how
often each codelist matches, and the most frequent codes in no codelist.
Exit status: 0 when a run could go ahead, 3 with every structural problem
listed, 6 when a blocking validation check fails (docs/errors.md).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from pipeline.commands import iso_date
from pipeline.paths import DEFAULT_STUDY
from pipeline.state import StudyOptions, StudyState


@dataclass(kw_only=True)
class CheckState(StudyState):
    """What the check found (counts and codes only, never a patient's details),
    on top of the state the shared stages fill (pipeline/stages.py: CHECK)."""

    top: int = 15
    practices: list[dict] = field(default_factory=list)
    future: dict[tuple[str, str], int] = field(default_factory=dict)
    after_index: dict[tuple[str, str], int] = field(default_factory=dict)
    systems: list[dict] = field(default_factory=list)
    codelist_hits: list[dict] = field(default_factory=list)
    unlisted: list[dict] = field(default_factory=list)

    @property
    def summary(self):
        """The extract validation's summary (the check runs one validate stage)."""
        return self.validation[0]


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def print_problems(problems: list[str]) -> None:
    """Every structural problem, one per line, on stderr."""
    n = len(problems)
    click.echo(
        f"cohort: the extract has {n} structural problem{'s' if n != 1 else ''}; a run would stop:",
        err=True,
    )
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    click.echo("Fix these in the export, then run `make check` again.", err=True)


def count_extract(state: CheckState) -> None:
    """Stage check_counts: per-practice counts and date ranges, records after the
    extract and index dates, coding systems (after the shared load and index_dates)."""
    from pipeline import db

    index_date = state.options.index_date
    state.future = dict(state.load.future_records)
    state.warnings[:0] = state.load.warnings  # the loader's first, then the run's own
    if index_date is not None:
        rows = db.run(state.con, "check/after_index_date", index_date=index_date).fetchall()
        state.after_index = {(code, table): n for code, table, n in rows}
    state.practices = _rows(db.run(state.con, "check/practices", index_date=index_date))
    state.systems = _rows(db.run(state.con, "check/coding_systems"))


def count_codes(state: CheckState) -> None:
    """Stage check_codes: how often each codelist matches, and the codes in none."""
    from pipeline import db

    state.codelist_hits = _rows(db.run(state.con, "check/codelist_hits"))
    state.unlisted = _rows(db.run(state.con, "check/unlisted_codes", limit=state.top))


def check(con, *, extracts: list[Path], study_path: Path, index_date, top: int, progress,
          stages: tuple[str, ...] | None = None) -> CheckState:  # fmt: skip
    """Run the check's stages (pipeline/stages.py: CHECK) on CON; structural problems
    in the extract are printed one per line and exit 3."""
    from pipeline import stages as S
    from pipeline.errors import ExtractError

    state = CheckState(
        options=StudyOptions(
            extracts=tuple(extracts), study_path=study_path, index_date=index_date
        ),
        con=con,
        top=top,
        stop_on_blocking=False,
    )
    try:
        S.run_stages(state, stages or S.CHECK, progress)
    except ExtractError as exc:
        if progress.log_json:  # keep stderr machine-readable: one event per problem
            for problem in exc.problems:
                progress.event("extract_problem", message=problem)
        else:
            print_problems(exc.problems)
        sys.exit(ExtractError.exit_code)
    return state


@click.command("check")
@click.argument("extracts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--study",
    "study_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_STUDY,
    show_default=True,
    help="Study definition file whose codelists the codes are matched to.",
)
@click.option(
    "--index-date",
    callback=iso_date,
    metavar="YYYY-MM-DD",
    help="The index date a run would use (default: each practice's extract date).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=15,
    show_default=True,
    help="How many of the most frequent codes in no codelist to list.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option(
    "--log-json", is_flag=True, help="Progress as JSON lines on stderr (ids and counts only)."
)
def check_command(extracts, study_path, index_date, top, quiet, log_json):
    """Load and validate EXTRACT folders and say what a run would do, without running.

    Nothing is written. Exit status 0 when a run could go ahead; 3 (every
    structural problem listed) or 6 (a blocking validation failure) when it
    would stop.
    """
    from pipeline import db
    from pipeline.progress import Progress

    progress = Progress(quiet=quiet, log_json=log_json)
    out = _console()
    con = db.connect()
    try:
        state = check(
            con, extracts=list(extracts), study_path=study_path, index_date=index_date,
            top=top, progress=progress,
        )  # fmt: skip
    finally:
        con.close()
    print_extract(out, state, index_date=index_date)
    print_codes(out, state, top=top)
    print_verdict(out, state)
    state.summary.raise_if_blocking()


# -- printing --------------------------------------------------------------------
def _console():
    from rich.console import Console

    console = Console(highlight=False)
    return (
        console if console.is_terminal else Console(highlight=False, width=max(console.width, 120))
    )


def _table(*columns: str):
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in columns:
        table.add_column(name, justify="left" if name in TEXT_COLUMNS else "right")
    return table


TEXT_COLUMNS = {
    "First event",
    "Last event",
    "First issue",
    "Last issue",
    "Practice",
    "Name",
    "Extract date",
    "Index date",
    "Table",
    "System",
    "Code",
    "Codelist",
    "Version",
}


def print_extract(out, result: CheckState, *, index_date: dt.date | None) -> None:
    """Practices, dates, records a run would ignore, coding systems, validation."""
    patients = sum(p["patients"] for p in result.practices)
    when = f"index date {index_date}" if index_date else "index date: each practice's extract date"
    out.print(
        f"[bold]Extract:[/] {len(result.practices)} practice(s), {patients:,} patients ({when})"
    )
    out.print(_practice_table(result.practices))
    out.print()
    out.print(_records_table(result.practices))
    out.print()
    _print_ignored(out, "after the extract date", result.future)
    if index_date is not None:
        _print_ignored(out, f"after the index date {index_date}", result.after_index)
    _print_systems(out, result.systems)
    for warning in result.warnings:
        out.print(f"[yellow]warning:[/] {warning}", markup=True)
    out.print()
    out.print(result.summary.text(), markup=False)
    out.print()


def _practice_table(practices: list[dict]):
    table = _table("Practice", "Name", "Extract date", "Patients", "Registered on index date")
    for p in practices:
        table.add_row(
            p["practice_code"],
            p["practice_name"],
            str(p["extract_date"]),
            f"{p['patients']:,}",
            f"{p['registered']:,}",
        )
    return table


def _records_table(practices: list[dict]):
    table = _table(
        "Practice", "Events", "First event", "Last event", "Issues", "First issue", "Last issue"
    )
    for p in practices:
        table.add_row(
            p["practice_code"],
            f"{p['events']:,}",
            str(p["first_event"] or "–"),
            str(p["last_event"] or "–"),
            f"{p['issues']:,}",
            str(p["first_issue"] or "–"),
            str(p["last_issue"] or "–"),
        )
    return table


def _print_ignored(out, what: str, counts: dict[tuple[str, str], int]) -> None:
    by_practice: dict[str, list[str]] = {}
    for (code, table), n in sorted(counts.items()):
        if n:
            by_practice.setdefault(code, []).append(f"{table} {n:,}")
    if not by_practice:
        out.print(f"Records dated {what}: none.")
        return
    out.print(f"[yellow]Records dated {what}[/] (kept, but every rule ignores them):")
    for code, parts in by_practice.items():
        out.print(f"  {code}: {', '.join(parts)}")


def _print_systems(out, systems: list[dict]) -> None:
    out.print("Coding systems seen:")
    for s in systems:
        out.print(
            f"  {s['practice_code']} {s['table_name']:<11} {s['coding_system']:<9} "
            f"{s['records']:>12,} records {s['codes']:>9,} distinct codes"
        )


def print_codes(out, result: CheckState, *, top: int) -> None:
    """How often each codelist matches, and the most frequent codes in none."""
    out.print(
        f"[bold]Codelists of study {result.study.name}[/] (matched against the codes in the extract):"
    )
    table = _table("Codelist", "Version", "Codes seen", "Records", "Patients")
    for c in result.codelist_hits:
        style = "yellow" if not c["records"] else None
        table.add_row(
            c["codelist"],
            str(c["version"]),
            f"{c['codes_seen']:,}",
            f"{c['records']:,}",
            f"{c['patients']:,}",
            style=style,
        )
    out.print(table)
    if not result.unlisted:
        out.print("Every code in the extract is in a codelist of the study.")
        return
    out.print(
        f"[bold]The {len(result.unlisted)} most frequent codes in no codelist of the study[/] "
        "(check none of them should be in one):"
    )
    table = _table("Table", "System", "Code", "Records", "Patients", "Practices")
    for u in result.unlisted:
        table.add_row(
            u["table_name"],
            u["coding_system"],
            u["code"],
            f"{u['records']:,}",
            f"{u['patients']:,}",
            f"{u['practices']:,}",
        )
    out.print(table)


def print_verdict(out, result: CheckState) -> None:
    patients = sum(p["patients"] for p in result.practices)
    if result.summary.passed:
        out.print(
            f"[green]A run would go ahead[/] with {len(result.practices)} practice(s) and "
            f"{patients:,} patients. Nothing was written."
        )
    else:
        out.print(
            "[bold red]A run would stop:[/] a blocking validation check failed (listed above). "
            "Nothing was written."
        )


def register(main) -> None:
    main.add_command(check_command)
