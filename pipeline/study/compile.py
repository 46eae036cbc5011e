"""Compile a Study into the SQL that applies its rules, plus bound parameters.

The script is a fixed order of statements: the study's codelists (roles) and
their codes (sql/study/codes.sql), the coded records every rule reads
(sql/study/records.sql), the population with one
flag per criterion, the evidence, the attrition, the quarantine and the stored
definition. The statements that depend on the study are generated from its tree
by one function per node type (pipeline/study/compile_nodes.py); every value is
bound as a $parameter. The same study always compiles to byte-identical SQL, so
it can be printed (`cohort sql`), diffed and kept as golden files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import db
from pipeline.study import compile_evidence as E
from pipeline.study import compile_tables as T
from pipeline.study.compile_nodes import Params
from pipeline.study.model import Study

# The statements of a study run, in order: generated from the tree, or sql/study/NAME.sql.
GENERATED = {
    "roles": T.roles_sql,
    "population": T.population_sql,
    "evidence": E.evidence_sql,
    "attrition": E.attrition_sql,
    "definition": T.definition_sql,
}
STATEMENTS = (
    "roles", "codes", "records", "population", "evidence", "attrition", "quarantine",
    "definition", "study_steps", "study_criteria", "cleanup",
)  # fmt: skip
PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str

    def parameter_names(self) -> tuple[str, ...]:
        code = "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())
        return tuple(sorted(set(PARAM.findall(code))))


@dataclass(frozen=True)
class CompiledStudy:
    sql: str
    params: dict
    statements: tuple[Statement, ...] = ()

    def bound(self, statement: Statement) -> dict:
        """The parameters STATEMENT uses (DuckDB refuses unused named parameters)."""
        return {name: self.params[name] for name in statement.parameter_names()}


def compile_study(study: Study) -> CompiledStudy:
    """The study's SQL script and its parameters."""
    p = Params()
    statements = tuple(Statement(name, _text(name, study, p).strip()) for name in STATEMENTS)
    params = dict(sorted(p.values.items()))
    missing = {n for s in statements for n in s.parameter_names()} - params.keys()
    assert not missing, (
        f"the study SQL uses parameters the compiler does not bind: {sorted(missing)}"
    )
    return CompiledStudy(
        sql=render(study, statements, params), params=params, statements=statements
    )


def _text(name: str, study: Study, p: Params) -> str:
    if name in GENERATED:
        return GENERATED[name](study, p)
    return db.sql_text(f"study/{name}")


def render(study: Study, statements: tuple[Statement, ...], params: dict) -> str:
    """One printable script: a header naming the study and its bound values, then each statement."""
    header = [f"-- Study {study.name}: {study.title}", "-- Bound parameters:"]
    header += [f"--   ${name} = {_literal(value)}" for name, value in params.items()]
    body = [f"-- {_origin(s.name)}\n{s.sql.rstrip(';')};" for s in statements]
    return "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"


def _origin(name: str) -> str:
    return f"generated: {name}" if name in GENERATED else f"sql/study/{name}.sql"


def _literal(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)
