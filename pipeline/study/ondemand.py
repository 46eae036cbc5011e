"""The evidence of one patient, worked out when asked, by the run's own compiled SQL.

A run stores per-record evidence only for the patients its rules let through
(invited or deferred) and those held for data quality. For anyone else
`cohort explain` calls ``patient_evidence``: the study is rebuilt from the
definition the run stored (study_definition), compiled by the same compiler,
and its roles, codes, records and evidence statements run over that one patient's rows
of the run database (attached read-only, copied into memory). It is the same
SQL as the stored evidence, not a second implementation (a test checks that
both give the same rows for every stored patient).
"""

from __future__ import annotations

from pathlib import Path

from pipeline import db
from pipeline.study import compile_evidence as E
from pipeline.study import compile_tables as T
from pipeline.study.build import study_data_from_definition
from pipeline.study.compile import Statement
from pipeline.study.compile_nodes import Params
from pipeline.study.model import CodelistRef, Study

# Run-database tables the evidence reads: per patient, or whole (small, shared).
PER_PATIENT = ("patients", "events", "medications", "population")
SHARED = ("run_practices", "codelist_codes", "prior_invitations", "do_not_contact", "screened_out")


def study_from_definition(tree: dict) -> Study:
    """The Study a run applied, from the definition it stored."""
    return Study(
        name=tree["name"],
        title=tree["title"],
        description="",
        codelists=tuple(
            CodelistRef(c["alias"], c["name"], c["version"]) for c in tree["codelists"]
        ),
        **study_data_from_definition(tree),
    )


def patient_evidence(
    run_db: Path, tree: dict, *, practice_code: str, patient_id: str
) -> list[dict]:
    """Evidence rows of one patient (columns as the evidence table), from RUN_DB."""
    study = study_from_definition(tree)
    con = db.connect()
    try:
        con.execute("ATTACH $path AS run (READ_ONLY)", {"path": str(run_db)})
        _copy(con, practice_code=practice_code, patient_id=patient_id)
        p = Params()
        for name, text in (
            ("roles", T.roles_sql(study, p)),
            ("codes", db.sql_text("study/codes")),
            ("records", db.sql_text("study/records")),
        ):
            _execute(con, Statement(name, text), p.values)
        query = Statement(
            "evidence", E.evidence_query(study, p, reached=E.on_demand_reached(study, p))
        )
        cur = _execute(con, query, p.values)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def _copy(con, *, practice_code: str, patient_id: str) -> None:
    present = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'run'"
    ).fetchall()}  # fmt: skip
    key = {"c": practice_code, "p": patient_id}
    for table in PER_PATIENT:
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT * FROM run.{table} "
            "WHERE practice_code = $c AND patient_id = $p",
            key,
        )
    for table in SHARED:
        if table in present:
            con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM run.{table}")
        elif table == "screened_out":
            db.script(con, "study/screened_out_default")


def _execute(con, statement: Statement, values: dict):
    return con.execute(statement.sql, {n: values[n] for n in statement.parameter_names()})
