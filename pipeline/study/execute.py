"""Run a compiled study over the run database, all practices at once.

Reads (docs/design/contracts.md): patients, events, medications, run_practices,
codelist_codes, prior_invitations, do_not_contact, screened_out (empty when absent).
Writes: population, evidence, attrition, quarantine, study_definition. The
statements run in one transaction, so a failure leaves none of them half-written.

Where the statements run is the ENGINE's business (pipeline/engines): DuckDB, in
the run database itself (the default), or Spark, which brings the same output
tables back into the run database (pipeline.engines.spark.study). Everything
else here (compiling, the result, the attrition) is the same for both.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Protocol

import duckdb

from pipeline import db
from pipeline.errors import CodelistError
from pipeline.study.compile import CompiledStudy, compile_study
from pipeline.study.model import Study

INPUT_TABLES = (
    "patients",
    "events",
    "medications",
    "run_practices",
    "codelist_codes",
    "prior_invitations",
    "do_not_contact",
    "screened_out",
)
ATTRITION_COLUMNS = ("practice_code", "row_no", "step_no", "step", "label", "remaining", "removed")


@dataclass(frozen=True)
class StudyResult:
    """Counts only (no patient data): safe to log and to put in the run report."""

    study: str
    patients: int
    invited: int
    quarantined: int
    attrition: tuple[dict, ...]
    sql_sha256: str
    timings: dict = field(default_factory=dict)


class StudyEngine(Protocol):
    """Runs a compiled study so that its output tables end up in the run database on CON."""

    name: str

    def execute(self, con: duckdb.DuckDBPyConnection, compiled: CompiledStudy) -> dict[str, float]:
        """Run every statement; the seconds each took, by statement name."""
        ...


class DuckDBEngine:
    """The default engine: the statements run in the run database, in one transaction."""

    name = "duckdb"

    def execute(self, con: duckdb.DuckDBPyConnection, compiled: CompiledStudy) -> dict[str, float]:
        db.script(con, "study/screened_out_default")
        check_inputs(con)
        return _execute(con, compiled)


def run_study(
    con: duckdb.DuckDBPyConnection, study: Study, *, engine: StudyEngine | None = None
) -> StudyResult:
    """Apply STUDY to the run database on CON, on ENGINE (default DuckDB); see the module docstring."""
    compiled = compile_study(study)
    timings = (engine or DuckDBEngine()).execute(con, compiled)
    return StudyResult(
        study=study.name,
        patients=_count(con, "SELECT count(*) FROM population"),
        invited=_count(con, "SELECT count(*) FROM population WHERE invited"),
        quarantined=_count(con, "SELECT count(*) FROM quarantine"),
        attrition=attrition_rows(con),
        sql_sha256=hashlib.sha256(compiled.sql.encode()).hexdigest(),
        timings=timings,
    )


def run_statements(con: duckdb.DuckDBPyConnection, study: Study, names: tuple[str, ...]) -> None:
    """Execute only the compiled statements NAMES (e.g. attrition over a made-up population)."""
    compiled = compile_study(study)
    for statement in compiled.statements:
        if statement.name in names:
            con.execute(statement.sql, compiled.bound(statement))


def check_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """The tables the orchestrator must have built; a gap is a bug, not a user error."""
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    present |= {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    missing = [t for t in INPUT_TABLES if t not in present]
    assert not missing, f"the study needs tables {missing} in the run database before run_study"
    index_date_check(db.run(con, "study/check_index_dates").fetchall())


def index_date_check(unindexed: list[tuple]) -> None:
    """The rows of sql/study/check_index_dates.sql: practices without D (an orchestrator bug)."""
    practices = [r[0] for r in unindexed]
    assert not practices, f"practices without an index date in run_practices: {practices}"


def _execute(con: duckdb.DuckDBPyConnection, compiled: CompiledStudy) -> dict[str, float]:
    timings: dict[str, float] = {}
    con.begin()
    try:
        for statement in compiled.statements:
            started = time.perf_counter()
            con.execute(statement.sql, compiled.bound(statement))
            timings[statement.name] = round(time.perf_counter() - started, 3)
            if statement.name == "roles":
                check_codelists(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return timings


def check_codelists(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to run with a role whose pinned codelist has no codes in codelist_codes."""
    codelist_check(db.run(con, "study/check_codelists").fetchall())


def codelist_check(empty: list[tuple]) -> None:
    """Raise CodelistError for the rows of sql/study/check_codelists.sql (role, codelist, version)."""
    if empty:
        role, name, version = empty[0]
        more = f" (and {len(empty) - 1} more roles)" if len(empty) > 1 else ""
        raise CodelistError(
            f"codelist {name} version {version} (role {role}) has no codes in the run's codelist table{more}; "
            "check it is published with codes (`cohort codelists show`)"
        )


def attrition_rows(con: duckdb.DuckDBPyConnection) -> tuple[dict, ...]:
    cols = ", ".join(ATTRITION_COLUMNS)
    rows = con.execute(
        f"SELECT {cols} FROM attrition ORDER BY practice_code = 'ALL' DESC, practice_code, row_no"
    )
    return tuple(dict(zip(ATTRITION_COLUMNS, r, strict=True)) for r in rows.fetchall())


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0])


def format_attrition(rows, *, practices_per_block: int = 6) -> str:
    """A plain-text table: one line per step, one column for ALL and for each practice.

    ROWS are attrition rows as dicts (StudyResult.attrition) or tuples in
    ATTRITION_COLUMNS order. Cells show the patients remaining after the step and,
    in brackets, how many the step removed.
    """
    rows = [
        r if isinstance(r, dict) else dict(zip(ATTRITION_COLUMNS, r, strict=True)) for r in rows
    ]
    if not rows:
        return "Attrition: no patients."
    scopes = list(dict.fromkeys(r["practice_code"] for r in rows))
    scopes = ["ALL"] + [s for s in scopes if s != "ALL"] if "ALL" in scopes else scopes
    blocks = [
        scopes[i : i + practices_per_block] for i in range(0, len(scopes), practices_per_block)
    ]
    title = "Attrition (patients remaining after each step at each practice's index date; removed in brackets)"
    return "\n\n".join([title] + [_block(rows, block) for block in blocks])


def _block(rows: list[dict], scopes: list[str]) -> str:
    cells = {(r["practice_code"], r["row_no"]): _cell(r) for r in rows}
    steps = sorted({(r["row_no"], r["label"]) for r in rows})
    label_width = max(len(label) for _, label in steps)
    widths = [max([len(s)] + [len(cells.get((s, n), "")) for n, _ in steps]) for s in scopes]
    lines = [
        "  ".join([" " * label_width] + [s.rjust(w) for s, w in zip(scopes, widths, strict=True)])
    ]
    for row_no, label in steps:
        values = [cells.get((s, row_no), "").rjust(w) for s, w in zip(scopes, widths, strict=True)]
        lines.append("  ".join([label.ljust(label_width)] + values))
    return "\n".join(line.rstrip() for line in lines)


def _cell(row: dict) -> str:
    text = f"{row['remaining']:,}"
    return f"{text} (-{row['removed']:,})" if row.get("removed") else text
