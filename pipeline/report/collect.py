"""Counts for the run report, read from the run database (counts only, never rows).

Every query is in sql/report/ and aggregates; nothing here selects a name, NHS
number, address or date of birth. Tables a stopped run never made (population,
attrition, invitations) are simply absent from the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from pipeline import db

ROUTE_STEPS = ("c1", "c2", "c3")  # the InStep chronic-pain routes the Venn diagram shows
# Per-patient output tables -> the attribute their per-practice count goes in.
PER_PATIENT_TABLES = {"invitations": "invited", "deferred": "deferred"}


@dataclass(frozen=True)
class Step:
    """One row of the attrition table."""

    step_no: int
    step: str
    label: str
    remaining: int
    removed: int | None


@dataclass
class PracticeRow:
    code: str
    name: str
    clinical_system: str | None
    extract_date: dt.date
    patients: int
    index_date: dt.date | None = None
    steps: dict[str, Step] = field(default_factory=dict)
    invited: int | None = None
    deferred: int | None = None
    future_records: int = 0

    def remaining(self, step: str) -> int | None:
        return self.steps[step].remaining if step in self.steps else None

    def removed(self, step: str) -> int | None:
        return self.steps[step].removed if step in self.steps else None


@dataclass(frozen=True)
class RouteRow:
    c1: bool
    c2: bool
    c3: bool
    patients: int
    eligible: int


@dataclass
class RunCounts:
    tables: frozenset[str]
    practices: list[PracticeRow]
    steps: list[Step]
    routes: list[RouteRow]
    parameters: dict[str, str]
    reasons: dict[str, str] = field(default_factory=dict)
    invited: int | None = None
    deferred: int | None = None

    @property
    def patients(self) -> int:
        return sum(p.patients for p in self.practices)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.step == name), None)


def collect(con: duckdb.DuckDBPyConnection) -> RunCounts:
    """Everything the report counts, from whichever run tables exist."""
    tables = frozenset(r[0] for r in db.run(con, "report/tables").fetchall())
    attrition = _attrition(con) if "attrition" in tables else {}
    counts = RunCounts(
        tables=tables,
        practices=_practices(con, tables),
        steps=attrition.get("ALL", []),
        routes=_routes(con) if "population" in tables else [],
        parameters=_parameters(con) if "study_parameters" in tables else {},
        reasons=_reasons(con) if {"study_steps", "study_criteria"} <= tables else {},
    )
    for practice in counts.practices:
        practice.steps = {s.step: s for s in attrition.get(practice.code, [])}
    _add_outputs(con, counts)
    return counts


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _attrition(con: duckdb.DuckDBPyConnection) -> dict[str, list[Step]]:
    by_practice: dict[str, list[Step]] = {}
    for row in _rows(db.run(con, "report/attrition")):
        step = Step(
            step_no=int(row["step_no"]),
            step=str(row["step"]),
            label=str(row.get("label") or "").strip(),
            remaining=int(row["remaining"] or 0),
            removed=None if row["removed"] is None else int(row["removed"]),
        )
        by_practice.setdefault(row["practice_code"], []).append(step)
    return by_practice


def _practices(con: duckdb.DuckDBPyConnection, tables: frozenset[str]) -> list[PracticeRow]:
    practices = [
        PracticeRow(
            code=r["practice_code"],
            name=r["practice_name"],
            clinical_system=r["clinical_system"],
            extract_date=r["extract_date"],
            patients=int(r["patients"]),
        )
        for r in _rows(db.run(con, "report/practices"))
    ]
    by_code = {p.code: p for p in practices}
    if "run_practices" in tables:
        for code, index_date in db.run(con, "report/index_dates").fetchall():
            if code in by_code:
                by_code[code].index_date = index_date
    if "record_dates" in tables:
        for code, _table, n in db.run(con, "load/future_records").fetchall():
            if code in by_code:
                by_code[code].future_records += int(n)
    return practices


def _routes(con: duckdb.DuckDBPyConnection) -> list[RouteRow]:
    """The InStep chronic-pain routes in every combination (none for a study without c1-c3)."""
    columns = {r[0] for r in con.execute("DESCRIBE population").fetchall()}
    if not set(ROUTE_STEPS) <= columns:
        return []
    return [
        RouteRow(c1=bool(c1), c2=bool(c2), c3=bool(c3), patients=int(n), eligible=int(e))
        for c1, c2, c3, n, e in db.run(con, "report/routes").fetchall()
    ]


def _reasons(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Stop name -> why that step removes patients, from the study's own criteria."""
    return dict(db.run(con, "report/step_reasons").fetchall())


def _parameters(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {name: str(value) for name, value in db.run(con, "report/parameters").fetchall()}


def _add_outputs(con: duckdb.DuckDBPyConnection, counts: RunCounts) -> None:
    """Invited and deferred per practice, when the run got as far as choosing them."""
    by_code = {p.code: p for p in counts.practices}
    for table, attribute in PER_PATIENT_TABLES.items():
        if table not in counts.tables:
            continue
        per_practice = dict(db.run(con, "report/by_practice", table=table).fetchall())
        for code, practice in by_code.items():
            setattr(practice, attribute, int(per_practice.get(code, 0)))
        setattr(counts, attribute, sum(int(n) for n in per_practice.values()))
