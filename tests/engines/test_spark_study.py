"""The study on Spark gives the DuckDB engine's tables (pipeline/engines/spark/study.py).

Marked `spark`: run by make test-spark (after make spark), skipped by make test.
"""

from __future__ import annotations

import pytest
from study import world
from study.world import build, days

from pipeline.engines.spark.study import run_study_spark
from pipeline.engines.transpile import spark_plan
from pipeline.errors import CodelistError
from pipeline.study.compile import compile_study
from pipeline.study.execute import run_study

pytestmark = pytest.mark.spark

OUTPUTS = (
    "population", "evidence", "attrition", "quarantine", "study_roles",
    "study_definition", "study_steps", "study_criteria",
)  # fmt: skip

# Invited, too old, in work, quarantined (no postcode), already invited by NHS number.
PATIENTS = """
    patient_id | nhs_number | date_of_birth | postcode
    p1         | 9990000018 | 1980-06-15    | SO16 6YD
    p2         | 9990000026 | 1950-06-15    | SO16 6YD
    p3         | 9990000034 | 1985-01-01    | SO16 6YD
    p4         | 9990000042 | 1990-03-03    |
    p5         | 9990000050 | 1975-07-07    | SO16 6YD
"""
EVENTS = f"""
    patient_id | event_date | coding_system | code
    p3         | {days(40)} | snomedct      | 224363007
"""
PRIOR = """
    practice_code | patient_id | nhs_number
    B00002        | x9         | 999 000 0050
"""


def world_con():
    return build(patients=PATIENTS, events=EVENTS, prior=PRIOR)


def rows(con, table: str) -> list[tuple]:
    return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def schema(con, table: str) -> list[tuple]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]


@pytest.mark.parametrize("transfer", ["parquet", "arrow"])
def test_spark_leaves_the_duckdb_engines_tables_row_for_row(spark, transfer):
    duck, on_spark = world_con(), world_con()
    expected = run_study(duck, world.INSTEP)
    got = run_study_spark(on_spark, world.INSTEP, spark=spark, transfer=transfer)
    assert (got.patients, got.invited, got.quarantined) == (
        expected.patients,
        expected.invited,
        expected.quarantined,
    )
    assert got.attrition == expected.attrition and got.sql_sha256 == expected.sql_sha256
    for table in OUTPUTS:
        assert schema(on_spark, table) == schema(duck, table), table
        assert rows(on_spark, table) == rows(duck, table), table
    invited = {
        r[0] for r in on_spark.execute("SELECT patient_id FROM population WHERE invited").fetchall()
    }
    assert invited == {"p1"}
    assert "study_records" not in {r[0] for r in on_spark.execute("SHOW TABLES").fetchall()}


def test_inputs_already_in_spark_are_read_there(spark):
    source = world_con()
    for table in ("patients", "events", "medications"):
        spark.createDataFrame(source.table(table).to_arrow_table()).createOrReplaceTempView(table)
    con = world_con()
    for table in ("patients", "events", "medications"):
        con.execute(f"DROP TABLE {table}")
    inputs = frozenset({"patients", "events", "medications"})
    run_study_spark(con, world.INSTEP, spark=spark, inputs_in_spark=inputs)
    assert rows(con, "population") == rows(_duckdb_run(), "population")


def test_a_codelist_without_codes_is_refused_as_on_duckdb(spark):
    codes = "\n".join(line for line in world.CODES.splitlines() if not line.startswith("dementia "))
    duck = build(patients=PATIENTS, codes=codes)
    with pytest.raises(CodelistError) as on_duckdb:
        run_study(duck, world.INSTEP)
    con = build(patients=PATIENTS, codes=codes)
    with pytest.raises(CodelistError) as on_spark:
        run_study_spark(con, world.INSTEP, spark=spark)
    assert str(on_spark.value) == str(on_duckdb.value)
    assert "population" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}


def test_the_engine_runs_the_text_cohort_sql_dialect_spark_prints(spark):
    compiled = compile_study(world.INSTEP)
    ran = []
    original = spark.sql

    class Recording:
        def __getattr__(self, name):
            return getattr(spark, name)

        def sql(self, text, args=None):
            ran.append(text)
            return original(text, args=args)

    run_study_spark(world_con(), world.INSTEP, spark=Recording())
    study_statements = [text for text in ran if text in {s.sql for s in spark_plan(compiled)}]
    assert study_statements == [s.sql for s in spark_plan(compiled)]


def _duckdb_run():
    con = world_con()
    run_study(con, world.INSTEP)
    return con
