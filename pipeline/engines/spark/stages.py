"""The stages `cohort run --engine spark` runs differently (pipeline/stages.py picks them).

Only four stages touch the extract's records, and only they differ: load (into
Spark, load.py), validate_extract (GX on Spark, validate.py), codelists (the codes
seen in the records, read in Spark) and study (the compiled study on Spark,
sparkcore's study.py, then the records of the people the run invites or holds back
brought into the run's DuckDB, records.py). Every other stage runs unchanged on the
run's DuckDB: the workspace state, cohort and invitation validation, letters,
lists, the run record and the commit.
"""

from __future__ import annotations

from pipeline.engines.spark import files

EXTRACT_VIEWS = frozenset({"patients", "events", "medications"})


def locations(options) -> list[str]:
    """The EXTRACT arguments as given (a URI's // kept), else the extract paths."""
    return list(options.locations) or [str(p) for p in options.extracts]


def engine_facts(spark, master: str) -> dict:
    """For the run record and report: which engine, where, which version."""
    return {
        "name": "spark",
        "master": master,
        "spark_master": spark.sparkContext.master,
        "spark_version": spark.version,
        "in_duckdb": "practices, every patients row, record_dates, and the events and "
        "medications of the invited, deferred and quarantined; the study's output tables",
    }


def load(state) -> None:
    from pipeline.engines.spark.load import load_extracts_spark
    from pipeline.engines.spark.session import spark_session
    from pipeline.invitations import check_practice_contacts, letter_text

    state.spark = spark_session(state.options.spark_master)
    state.engine = engine_facts(state.spark, state.options.spark_master)
    state.load = load_extracts_spark(state.con, state.spark, locations(state.options))
    check_practice_contacts(
        letter_text(state.study), state.load.manifests, study_source=state.options.study_path
    )


def validate_extract(state) -> None:
    from pipeline.engines.spark.validate import run_suites_spark
    from pipeline.validation import EXTRACT_SUITES

    summary = run_suites_spark(state.spark, EXTRACT_SUITES, out_dir=state.validation_dir)
    state.validation.append(summary)
    if state.stop_on_blocking:
        summary.raise_if_blocking()


def codelists(state) -> None:
    from pipeline.codelists.compile import build_codelist_table

    def seen(table: str, systems: list[str]):
        quoted = ", ".join("'" + s.replace("'", "''") + "'" for s in systems)
        return state.spark.sql(
            f"SELECT DISTINCT coding_system, code FROM {table} "  # noqa: S608 (fixed names, contract systems)
            f"WHERE coding_system IN ({quoted}) AND code IS NOT NULL"
        ).toArrow()

    build_codelist_table(state.con, state.codelists, seen_codes=seen)


def study(state) -> None:
    from pipeline.engines.spark.records import bring_back_records
    from pipeline.engines.spark.study import run_study_spark
    from pipeline.study.execute import format_attrition

    result = run_study_spark(
        state.con, state.study, spark=state.spark, inputs_in_spark=EXTRACT_VIEWS
    )
    bring_back_records(state.con, state.spark)
    state.attrition_text = format_attrition(result.attrition)


def release(spark) -> None:
    """Free what a run cached in the session (its views are replaced by the next run)."""
    if spark is not None:
        spark.catalog.clearCache()


STAGES = {
    "load": load,
    "validate_extract": validate_extract,
    "codelists": codelists,
    "study": study,
}

__all__ = ["STAGES", "files", "release"]
