"""`cohort report yield`: what the letters yielded, per practice, route and codelist version.

For every letter still live in the ledger (rolled-back runs' letters were never
sent) it reads which chronic-pain routes held in the run that sent it and which
codelist versions that run used, then counts the recorded outcomes
(sql/audit/yield_report.sql). Besides the letter counts it says which codelists
changed version between runs (only those get a "by codelist" row) and how many
people each exclusion list removed in the runs (from each run's attrition).

Counts are exact here; pipeline/report/yield_render.py shows them, suppressed
and rounded (pipeline/report/disclosure.py) unless for internal use (``exact``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.audit.runs import list_runs

COUNTS = (
    "invited",
    "recorded",
    "replied",
    "eligible",
    "recruited",
    "ineligible_in_work",
    "ineligible_retired",
    "ineligible_no_chronic_pain",
    "ineligible_moved",
    "ineligible_other",
    "complaints",
    "declined",
    "undeliverable",
)
# (rate, numerator, denominator): replies per letter sent and per outcome recorded, and
# what share of replies were eligible or in work.
RATES = (
    ("reply_rate", "replied", "invited"),
    ("reply_of_recorded", "replied", "recorded"),
    ("eligible_share", "eligible", "replied"),
    ("in_work_share", "ineligible_in_work", "replied"),
)
ROUTE_ROLES = ("chronic_pain_conditions", "chronic_pain_diagnosis", "pain_medications")


@dataclass(frozen=True)
class Exclusion:
    """An exclusion codelist and how many people its rule removed, over the runs counted."""

    role: str
    codelists: tuple[str, ...]  # "dementia v1", ...
    removed: int


@dataclass(frozen=True)
class YieldTable:
    rows: list[dict]  # dimension, group, the COUNTS (exact)
    notes: list[str]
    runs: int = 0
    same_codelists: tuple[str, ...] = ()  # every run used these versions: no codelist rows
    exclusions: list[Exclusion] = field(default_factory=list)
    # `screen` adds here: people removed at GP screening, by reason (a list of (reason, n)).
    screened_out: list[tuple[str, int]] = field(default_factory=list)

    def shown(self, *, exact: bool = False) -> list[dict]:
        """Rows as they may be shown: small counts suppressed and rounded unless EXACT."""
        from pipeline.report.yield_render import shown_row

        return [shown_row(r, exact=exact) for r in self.rows]


def yield_table(ws) -> YieldTable:
    """Count outcomes of every live letter of WS (exact numbers; suppress when showing)."""
    notes: list[str] = []
    runs = [r for r in list_runs(ws) if r.status in ("published", "committed")]
    records = {r.run_id: r.record() for r in runs}
    with ws.state(read_only=True) as con:
        db.script(con, "audit/yield_tables")
        for run in runs:
            _add_run(con, run, records[run.run_id], notes)
        cur = db.run(con, "audit/yield_report")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        removed = removed_at_screening(con)
    used = [records[r.run_id] for r in runs]
    return YieldTable(
        rows,
        notes,
        runs=len(used),
        same_codelists=same_codelists(used),
        exclusions=exclusions(used),
        screened_out=removed,
    )


def removed_at_screening(con) -> list[tuple[str, int]]:
    """(reason in words, people) removed at GP screening in this workspace."""
    from pipeline.screening.decisions import REASONS

    try:
        found = db.run(con, "screening/removed_by_reason").fetchall()
    except duckdb.Error:  # a workspace from before screening, opened read-only
        return []
    return [(REASONS.get(reason, reason).split(":")[0], n) for reason, n in found]


def _versions(record: dict) -> dict[str, str]:
    return {c.get("role"): f"{c['name']} v{c['version']}" for c in record.get("codelists", [])}


def same_codelists(records: list[dict]) -> tuple[str, ...]:
    """The codelist versions every run used, when no run differs (else empty)."""
    versions = [_versions(r) for r in records]
    if not versions or any(v != versions[0] for v in versions):
        return ()
    return tuple(versions[0][role] for role in versions[0])


def exclusions(records: list[dict]) -> list[Exclusion]:
    """Each non-route codelist whose rule appears in the attrition, with the people it removed."""
    found: dict[str, tuple[set[str], int]] = {}
    for record in records:
        steps = {
            a["step"]: a.get("removed") or 0
            for a in record.get("attrition", [])
            if a.get("practice_code") == "ALL"
        }
        for role, version in _versions(record).items():
            step = _step_for(role, steps)
            if role in ROUTE_ROLES or step is None:
                continue
            names, removed = found.get(role, (set(), 0))
            found[role] = (names | {version}, removed + int(steps[step]))
    return [Exclusion(role, tuple(sorted(n)), removed) for role, (n, removed) in found.items()]


def _step_for(role: str, steps: dict) -> str | None:
    """The attrition step a codelist role's rule is (dementia, palliative_care -> palliative)."""
    for step in steps:
        if role == step or role.startswith(f"{step}_") or role.endswith(f"_{step}"):
            return step
    return None


def _add_run(con, run, record: dict, notes: list[str]) -> None:
    for c in record.get("codelists", []):
        db.run(
            con,
            "audit/yield_add_codelists",
            run_id=run.run_id,
            role=c.get("role"),
            codelist=c["name"],
            version=c["version"],
        )
    if not run.db_path.exists():
        notes.append(
            f"run {run.run_id}: its run database is missing, so its letters are counted without routes"
        )
        db.run(con, "audit/yield_add_run_without_db", run_id=run.run_id)
        return
    db.run(con, "audit/attach_run", path=str(run.db_path))
    try:
        db.run(con, "audit/yield_add_run", run_id=run.run_id)
    finally:
        db.script(con, "audit/detach_run")


def to_csv(rows: list[dict]) -> str:
    from pipeline.report.yield_render import to_csv as render_csv

    return render_csv(rows)


def write_report(table: YieldTable, out: Path | None, *, exact: bool) -> str:
    """The report as text (returned), and as a file when OUT is given (.csv, .html, else text)."""
    from pipeline.report.yield_render import write_report as render

    return render(table, out, exact=exact)
