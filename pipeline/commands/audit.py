"""Audit trail and complaints (docs/audit.md).

`cohort explain`, `cohort audit verify|export`, `cohort outcome record|import`,
`cohort dnc add|remove|list` and `cohort report yield`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.commands import workspace_option as shared_workspace_option

WORKSPACE_HELP = "The workspace the runs were made in."


workspace_option = shared_workspace_option(WORKSPACE_HELP)


def person_options(fn):
    fn = click.option(
        "--patient-id", metavar="ID", help="The practice's patient id (with --practice)."
    )(fn)
    fn = click.option(
        "--practice", metavar="CODE", help="The practice's ODS code (with --patient-id)."
    )(fn)
    fn = click.option(
        "--nhs-number", metavar="N", help="The patient's NHS number (spaces allowed)."
    )(fn)
    return click.option(
        "--invite-ref",
        metavar="REF",
        help="The reference printed on the letter, as typed (case, spaces and dashes ignored).",
    )(fn)


def _open(workspace: Path, *, create: bool = False):
    """The workspace, after finishing or undoing what a crashed command left (when writable)."""
    from pipeline.workspace import Workspace

    ws = Workspace.open(workspace, create=create)
    ws.try_recover()
    return ws


def _person(invite_ref, nhs_number, practice, patient_id):
    from pipeline.audit.identity import person_from_options

    return person_from_options(
        invite_ref=invite_ref, nhs_number=nhs_number, practice=practice, patient_id=patient_id
    )


# --- explain ---------------------------------------------------------------------


@click.command("explain")
@workspace_option
@person_options
@click.option(
    "--run",
    "run_id",
    metavar="RUN_ID",
    help="Only this run (default: every run that considered them).",
)
@click.option("--json", "as_json", is_flag=True, help="The same explanation as JSON.")
@click.option(
    "--summary",
    "summary_only",
    is_flag=True,
    help="Only the two or three plain sentences a complaints handler can read out.",
)
def explain_command(
    workspace, invite_ref, nhs_number, practice, patient_id, run_id, as_json, summary_only
):
    """Why one patient was, or was not, invited: in short first, then rule by rule, from
    what each run stored (the run that decided in full, other runs one line each).

    For the practice: it shows the patient's name and NHS number. Nothing of it is logged.
    """
    from pipeline.audit.explain import explain
    from pipeline.audit.explain_render import render

    ws = _open(workspace)
    explanation = explain(
        ws, _person(invite_ref, nhs_number, practice, patient_id), run_id=run_id
    ).as_dict()
    if as_json:
        from pipeline.audit.explain_summary import summary

        click.echo(
            json.dumps(
                {"summary": summary(explanation), **explanation}, indent=2, ensure_ascii=False
            )
        )
        return
    click.echo(render(explanation, summary_only=summary_only))


# --- audit ---------------------------------------------------------------------------


@click.group("audit")
def audit_group():
    """Check the audit log, or export what the research team may see."""


@audit_group.command("verify")
@workspace_option
def verify_command(workspace):
    """Check the audit log's hash chain and every file it vouches for (exit 8 if anything differs)."""
    from pipeline.audit.verify import raise_if_broken, verify_workspace

    report = verify_workspace(_open(workspace))
    for line in report.problems:
        click.echo(f"FAIL {line}")
    for line in report.notes:
        click.echo(f"note {line}")
    raise_if_broken(report)
    click.echo(
        f"audit.log verified: {report.entries} entries, {report.runs} runs, {report.files} files checked."
    )


@audit_group.command("export")
@workspace_option
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="New or empty folder to write."
)
def export_command(workspace, out):
    """Write outcomes, evidence, run records and the yield table with identifiers pseudonymised."""
    from pipeline.audit.export import export

    manifest = export(_open(workspace), out)
    rows = ", ".join(f"{n} {k}" for k, n in manifest["rows"].items())
    click.echo(
        f"Pseudonymised export written to {out} ({rows}; key fingerprint {manifest['key_fingerprint']})."
    )


# --- outcomes ------------------------------------------------------------------------


@click.group("outcome")
def outcome_group():
    """Record what happened after an invitation."""


@outcome_group.command("record")
@workspace_option
@click.option(
    "--invite-ref",
    required=True,
    metavar="REF",
    help="The reference printed on the letter, as typed (case, spaces and dashes ignored).",
)
@click.option(
    "--outcome",
    required=True,
    metavar="OUTCOME",
    help="no_reply, replied, eligible, recruited, ineligible, declined, complaint, undeliverable, deceased.",
)
@click.option(
    "--reason",
    metavar="REASON",
    help="in_work, retired, no_chronic_pain, moved, other (needed for ineligible).",
)
@click.option(
    "--note", metavar="TEXT", help="Free text kept in the workspace only: never logged or exported."
)
def record_command(workspace, invite_ref, outcome, reason, note):
    """Record one outcome. A complaint, a decline or a death also puts the person on the do-not-contact list."""
    from pipeline.audit.outcomes import Outcome, record
    from pipeline.invitations.refs import validate_ref

    item = Outcome(
        validate_ref(invite_ref),
        outcome.strip().lower(),
        (reason or "").strip().lower() or None,
        note,
    )
    _say(record(_open(workspace), item))


@outcome_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@workspace_option
def import_command(file, workspace):
    """Record the outcomes in FILE.csv (columns invite_ref,outcome,reason[,note]); all rows or none."""
    from pipeline.audit.outcomes import import_file

    _say(import_file(_open(workspace), file))


def _say(result) -> None:
    click.echo(
        f"{result.recorded} outcome(s) recorded"
        + (f", {result.already} already recorded" if result.already else "")
        + (
            f"; {result.do_not_contact} person(s) put on the do-not-contact list"
            if result.do_not_contact
            else ""
        )
        + "."
    )


# --- do not contact --------------------------------------------------------------------


@click.group("dnc")
def dnc_group():
    """The do-not-contact list: people no run will ever write to."""


@dnc_group.command("add")
@workspace_option
@person_options
@click.option(
    "--reason",
    required=True,
    metavar="TEXT",
    help="Why (kept with the entry; write no patient details).",
)
def dnc_add_command(workspace, invite_ref, nhs_number, practice, patient_id, reason):
    """Put a person on the do-not-contact list."""
    from pipeline.audit import dnc

    change = dnc.add(
        _open(workspace, create=True),
        _person(invite_ref, nhs_number, practice, patient_id),
        reason=reason,
    )
    click.echo(
        "Already on the do-not-contact list."
        if change.already
        else "Added to the do-not-contact list."
    )


@dnc_group.command("remove")
@workspace_option
@person_options
@click.option(
    "--reason",
    required=True,
    metavar="TEXT",
    help="Why they may be written to again (kept and logged).",
)
def dnc_remove_command(workspace, invite_ref, nhs_number, practice, patient_id, reason):
    """Take a person off the do-not-contact list (the entry is kept, marked removed)."""
    from pipeline.audit import dnc

    change = dnc.remove(
        _open(workspace), _person(invite_ref, nhs_number, practice, patient_id), reason=reason
    )
    click.echo(
        f"Removed from the do-not-contact list ({change.changed} entr{'y' if change.changed == 1 else 'ies'})."
    )


@dnc_group.command("list")
@workspace_option
@click.option("--all", "include_removed", is_flag=True, help="Also entries that were removed.")
def dnc_list_command(workspace, include_removed):
    """Show the list (for the practice: it shows NHS numbers)."""
    from pipeline.audit import dnc

    rows = dnc.list_entries(_open(workspace), include_removed=include_removed)
    if not rows:
        click.echo("The do-not-contact list is empty.")
    for r in rows:
        who = f"{r['practice_code'] or '-'} {r['patient_id'] or '-'} NHS {r['nhs_number'] or '-'}"
        line = f"{who}: {r['reason']} (from {r['source']}, added {r['added_at']:%Y-%m-%d} by {r['added_by']})"
        if r["removed_at"]:
            line += (
                f"; REMOVED {r['removed_at']:%Y-%m-%d} by {r['removed_by']}: {r['removed_reason']}"
            )
        click.echo(line)


# --- reports ----------------------------------------------------------------------------


@click.command("yield")
@workspace_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Also write it to FILE with every column: .csv for CSV, .html for a web page, else text.",
)
@click.option(
    "--exact",
    is_flag=True,
    help="Show counts of 1 to 7 too (internal use only; not to leave the practice).",
)
def yield_command(workspace, out, exact):
    """What the letters yielded, per practice, chronic-pain route and codelist version.

    Counts of 1 to 7 are shown as <8 and the rest rounded to the nearest 5, so the
    report can be shared; --exact for internal use. Fits 100 columns; --out FILE.csv
    or FILE.html has every column.
    """
    from pipeline.audit.yields import write_report, yield_table

    table = yield_table(_open(workspace))
    click.echo(write_report(table, out, exact=exact))


def register(main) -> None:
    main.add_command(explain_command)
    main.add_command(audit_group)
    main.add_command(outcome_group)
    main.add_command(dnc_group)
    report = main.commands.get("report")
    if report is None:
        report = click.Group("report", help="Reports from the workspace.")
        main.add_command(report)
    report.add_command(yield_command)
