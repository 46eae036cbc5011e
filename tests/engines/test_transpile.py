"""The compiled study as Spark SQL (pipeline/engines/transpile.py): no Spark needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.engines import transpile as T
from pipeline.study.compile import Statement, compile_study
from pipeline.study.model import load_study

STUDIES = sorted((Path(__file__).resolve().parents[2] / "studies").glob("*.yaml"))


@pytest.fixture(scope="module", params=STUDIES, ids=lambda p: p.stem)
def compiled(request):
    return compile_study(load_study(request.param))


def test_every_shipped_study_transpiles_to_spark_and_trino(compiled):
    plan = T.spark_plan(compiled)
    assert plan, "no statements"
    for statement in compiled.statements:
        for tree in T.prepare(statement.sql, compiled.params, inline=True):
            assert T.transpile(tree, "trino")
    for step in plan:  # each statement parses back as Spark SQL
        assert sqlglot.parse_one(step.sql, read="spark")


def test_spark_binds_the_same_parameters_as_duckdb(compiled):
    plan = T.spark_plan(compiled)
    spark = {name for step in plan for name in step.params}
    duck = {name for s in compiled.statements for name in s.parameter_names()}
    assert spark == duck
    for step in plan:
        assert set(step.bound(compiled.params)) == set(step.params)


def test_tables_become_queries_the_engine_materialises_and_macros_their_bodies(compiled):
    plan = T.spark_plan(compiled)
    text = "\n".join(step.sql for step in plan)
    assert not re.search(r"\bcf_[a-z_]+\(", text, re.I), "a loader macro was not expanded"
    assert "CREATE" not in text and "LIST_POSITION" not in text.upper()
    created = [step.creates for step in plan if step.creates]
    assert {"population", "evidence", "attrition", "quarantine"} <= set(created)
    for step in plan:
        if step.creates:
            assert sqlglot.parse_one(step.sql, read="spark").key in ("select", "union")
        if step.drops:
            assert step.sql == f"DROP VIEW IF EXISTS {step.drops}"
    assert "study_records" in {step.drops for step in plan}  # cleanup


def test_union_by_name_is_refused_not_passed_through():
    sql = "CREATE TABLE t AS SELECT 1 AS a UNION ALL BY NAME SELECT 2 AS a"
    (tree,) = T.prepare(sql, {})
    with pytest.raises(T.TranspileError, match="UNION ... BY NAME"):
        T.transpile(tree, "spark")


def test_list_position_keeps_duckdbs_null_for_absent():
    (tree,) = T.prepare("SELECT list_position($stops, stopped_by) AS pos FROM population", {})
    (step,) = T._spark_statements("test", tree)
    assert "NULLIF(ARRAY_POSITION(:stops, stopped_by), 0)" in step.sql
    assert step.params == ("stops",)


def test_parameters_can_be_inlined_as_literals():
    sql = "SELECT * FROM t WHERE a = $n AND b = $s AND c = $flag AND d IN (SELECT unnest($xs))"
    params = {"n": 3, "s": "it's", "flag": True, "xs": ["x", "y"]}
    (tree,) = T.prepare(sql, params, inline=True)
    text = T.transpile(tree, "spark", pretty=False)
    assert "a = 3" in text and "b = 'it\\'s'" in text and "c = TRUE" in text
    assert "ARRAY('x', 'y')" in text and ":" not in text


def test_a_statement_kind_without_a_spark_form_is_refused():
    (tree,) = T.prepare("INSERT INTO population SELECT * FROM patients", {})
    with pytest.raises(T.TranspileError, match="INSERT"):
        T._spark_statements("test", tree)


def test_cohort_sql_dialect_spark_prints_the_plan_the_engine_runs():
    study = STUDIES[0]
    compiled = compile_study(load_study(study))
    shown = CliRunner().invoke(main, ["sql", "--study", str(study), "--dialect", "spark"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.endswith(T.spark_script(compiled))
    position = 0
    for step in T.spark_plan(compiled):  # every statement, whole and in order
        position = shown.output.index(step.sql, position) + len(step.sql)
    for name, value in compiled.params.items():
        assert f"--   :{name} = " in shown.output, value


def test_cohort_sql_default_is_still_duckdb():
    shown = CliRunner().invoke(main, ["sql"])
    assert shown.exit_code == 0
    assert "CREATE OR REPLACE TABLE population" in shown.output
    assert "materialised as temporary view" not in shown.output


def test_the_study_statement_names_are_unchanged_by_transpiling(compiled):
    origins = list(dict.fromkeys(step.origin for step in T.spark_plan(compiled)))
    assert origins == [s.name for s in compiled.statements]
    assert isinstance(compiled.statements[0], Statement)
