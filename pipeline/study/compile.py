"""Compile a Study into the SQL that applies its rules, plus bound parameters.

The SQL is the fixed text of sql/study/*.sql, in a fixed order; the study only
supplies values, bound as $parameters (numbers, the employment categories that
exclude, and the codelist name and version for each role). The same study
always compiles to byte-identical SQL, so it can be printed, diffed and kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import db
from pipeline.study.model import Study

# The statements of a study run, in order (sql/study/NAME.sql).
STATEMENTS = ("roles", "records", "population", "evidence", "attrition", "quarantine", "cleanup")
PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str

    def parameter_names(self) -> tuple[str, ...]:
        return tuple(sorted(set(PARAM.findall(self.sql))))


@dataclass(frozen=True)
class CompiledStudy:
    sql: str
    params: dict
    statements: tuple[Statement, ...] = ()

    def bound(self, statement: Statement) -> dict:
        """The parameters STATEMENT uses (DuckDB refuses unused named parameters)."""
        return {name: self.params[name] for name in statement.parameter_names()}


def sql_parameters(study: Study) -> dict:
    """Every $parameter the study SQL binds, sorted by name."""
    params: dict = {
        k: v for k, v in study.parameters().items() if k != "employment_exclude_categories"
    }
    params["employment_exclude_categories"] = list(study.employment.exclude_categories)
    for role, name, version in study.codelist_refs():
        params[f"codelist_{role}"] = name
        params[f"version_{role}"] = version
    return dict(sorted(params.items()))


def compile_study(study: Study) -> CompiledStudy:
    """The study's SQL script and its parameters."""
    params = sql_parameters(study)
    statements = tuple(Statement(name, db.sql_text(f"study/{name}").strip()) for name in STATEMENTS)
    missing = {p for s in statements for p in s.parameter_names()} - params.keys()
    assert not missing, f"sql/study uses parameters the compiler does not bind: {sorted(missing)}"
    return CompiledStudy(
        sql=render(study, statements, params), params=params, statements=statements
    )


def render(study: Study, statements: tuple[Statement, ...], params: dict) -> str:
    """One printable script: a header naming the study and its bound values, then each statement."""
    header = [f"-- Study {study.name}: {study.title}", "-- Bound parameters:"]
    header += [f"--   ${name} = {_literal(value)}" for name, value in params.items()]
    body = [f"-- sql/study/{s.name}.sql\n{s.sql.rstrip(';')};" for s in statements]
    return "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"


def _literal(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)
