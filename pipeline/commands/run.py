"""`cohort run`: find and invite the study's patients (docs/run.md)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.commands import LETTER_DATE, MEMORY_LIMIT, PDF, THREADS, iso_date
from pipeline.paths import DEFAULT_STUDY


@click.command("run")
@click.argument("extracts", nargs=-1, required=True, type=str)
@click.option(
    "--index-date",
    callback=iso_date,
    metavar="YYYY-MM-DD",
    help="Evaluate every rule at this date (default: each practice's extract date).",
)
@click.option(
    "--study",
    "study_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_STUDY,
    show_default=True,
    help="Study definition file.",
)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=Path("workspace"),
    show_default=True,
    help="State kept across runs: ledger, do-not-contact list, audit log. It must exist "
    "unless --new-workspace is given.",
)
@click.option(
    "--new-workspace",
    is_flag=True,
    help="Start a new workspace at --workspace if there is none (otherwise a missing "
    "workspace is refused, so a run never silently forgets earlier invitations).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Run folder (must not exist or be empty). Default: WORKSPACE/runs/RUN_ID.",
)
@click.option(
    "--max-invites-per-practice",
    type=click.IntRange(min=1),
    metavar="N",
    help="Invite at most N patients per practice (overrides the study's capacity_per_practice); "
    "the highest scores first, the rest recorded as deferred.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the hash that orders equal scores within capacity (kept in the run record).",
)
@LETTER_DATE
@PDF
@click.option(
    "--screening",
    type=click.Choice(["off", "required"]),
    help="GP screening for this run (default: the study's `screening:`). "
    "`off` writes letters directly and needs --reason.",
)
@click.option(
    "--reason",
    "screening_reason",
    metavar="TEXT",
    help="Why this run skips GP screening (with --screening off; kept in the audit log).",
)
@MEMORY_LIMIT
@THREADS
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Where the extract is loaded, validated and judged. `spark` (after `make spark`) "
    "reads CSV or Parquet at a local path or a URI Spark reads (file://, hdfs://, s3a://); "
    "the workspace, letters and lists stay on this machine (docs/scaling.md).",
)
@click.option(
    "--spark-master",
    metavar="URL",
    default="local[*]",
    show_default=True,
    help="Spark master for --engine spark: local[*], local[N], spark://HOST:7077, yarn, k8s://...",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option(
    "--log-json",
    is_flag=True,
    help="Structured progress as JSON lines on stderr (ids and counts only).",
)
def run_command(
    extracts,
    index_date,
    study_path,
    workspace,
    new_workspace,
    out,
    max_invites_per_practice,
    seed,
    letter_date,
    pdf,
    screening,
    screening_reason,
    memory_limit,
    threads,
    engine,
    spark_master,
    quiet,
    log_json,
):
    """Find the study's patients in EXTRACT folders and write their invitations.

    EXTRACT is a practice folder (with manifest.yaml) or a folder of them; with
    --engine spark also a URI Spark reads (file://, hdfs://, s3a://, ...).
    Exit status 0 when invitations were produced (zero invitees is a success).
    """
    from pipeline.engines.locations import extract_paths
    from pipeline.errors import ValidationFailed
    from pipeline.progress import Progress
    from pipeline.run import RunOptions, execute
    from pipeline.summary import print_failed_run, print_summary

    options = RunOptions(
        extracts=extract_paths(extracts, engine=engine),
        locations=tuple(extracts) if engine == "spark" else (),
        engine=engine,
        spark_master=spark_master,
        study_path=study_path,
        workspace=workspace,
        out=out,
        index_date=index_date,
        max_invites_per_practice=max_invites_per_practice,
        seed=seed,
        letter_date=letter_date,
        pdf=pdf,
        screening=screening,
        screening_reason=screening_reason,
        new_workspace=new_workspace,
        memory_limit=memory_limit,
        threads=threads,
    )
    try:
        state = execute(
            options,
            progress=Progress(quiet=quiet, log_json=log_json),
            announce=lambda text: click.echo(text, err=True),
        )
    except ValidationFailed as exc:
        print_failed_run(getattr(exc, "out_dir", None))
        raise
    print_summary(state, quiet=quiet)


def register(main) -> None:
    main.add_command(run_command)
