"""`cohort sql` (the SQL a run executes), `cohort impact` (what a codelist change does)
and `cohort upgrade-study` (an old-format study file in the study language)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.commands import iso_date
from pipeline.paths import DEFAULT_STUDY

STUDY_OPTION = click.option(
    "--study",
    "study_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_STUDY,
    show_default=True,
    help="Study definition file.",
)


@click.command("sql")
@STUDY_OPTION
@click.option(
    "--dialect",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="duckdb: what a run executes in its DuckDB database; spark: the study's "
    "statements as the Spark engine runs them (sqlglot, docs/engines.md).",
)
def sql_command(study_path: Path, dialect: str) -> None:
    """Print the SQL a run executes: the codelist stage, then the study's rules with
    their bound parameters. The same study always prints the same text.

    With --dialect spark, the study's statements as `cohort run --engine spark`
    runs them on Spark (the codelist stage runs in DuckDB on either engine)."""
    from pipeline.codelists.compile import codelist_sql
    from pipeline.study.compile import compile_study
    from pipeline.study.model import load_study

    compiled = compile_study(load_study(study_path))
    if dialect == "spark":
        from pipeline.engines.transpile import spark_script

        click.echo("-- ==== Codelist stage: in the run database (DuckDB) on every engine ====")
        click.echo("-- ==== Study rules on Spark (pipeline/engines/transpile.py) ====")
        click.echo(spark_script(compiled), nl=False)
        return
    click.echo("-- ==== Codelist stage (pipeline/codelists/compile.py) ====")
    click.echo(codelist_sql())
    click.echo("-- ==== Study rules (pipeline/study/compile.py) ====")
    click.echo(compiled.sql, nl=False)


@click.command("impact")
@click.argument("extracts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--codelist", required=True, metavar="NAME", help="The codelist whose versions to compare."
)
@click.option(
    "--from", "before", required=True, metavar="V1", help="The version the study uses now."
)
@click.option("--to", "after", required=True, metavar="V2", help="The version to compare it with.")
@STUDY_OPTION
@click.option(
    "--index-date",
    callback=iso_date,
    metavar="YYYY-MM-DD",
    help="Evaluate every rule at this date (default: each practice's extract date).",
)
def impact_command(extracts, codelist, before, after, study_path, index_date) -> None:
    """Who joins and who leaves the invited list if CODELIST moves from V1 to V2.

    Runs the study twice on EXTRACT in memory and lists, per practice, the
    patients (practice_code and patient_id only) whose invitation would change.
    Writes nothing: no workspace, ledger or run folder is touched.
    """
    from pipeline.study.impact import format_impact, impact_on_extract
    from pipeline.study.model import load_study

    study = load_study(study_path)
    impact = impact_on_extract(
        list(extracts), study, codelist=codelist, before=before, after=after, index_date=index_date
    )
    click.echo(format_impact(impact))


@click.command("upgrade-study")
@click.argument("old_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def upgrade_study_command(old_file: Path) -> None:
    """Print OLD_FILE, a study file of the old fixed format (population:,
    chronic_pain:, employment:), in the study language, with the same numbers,
    codelists and decisions. Redirect it to a new file and check it with
    `cohort sql --study NEW_FILE` (docs/study-language.md)."""
    import yaml

    from pipeline.errors import StudyError
    from pipeline.study.upgrade import upgrade_text

    text = old_file.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or "criteria" in data:
        raise StudyError(f"{old_file}: not a study file of the old format; nothing to upgrade")
    click.echo(upgrade_text(text), nl=False)


def register(main) -> None:
    main.add_command(sql_command)
    main.add_command(impact_command)
    main.add_command(upgrade_study_command)
