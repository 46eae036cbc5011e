"""`cohort report yield`: what the letters yielded, per practice, route and codelist version.

For every letter still live in the ledger (rolled-back runs' letters were never
sent) it reads which chronic-pain routes held in the run that sent it and which
codelist versions that run used, then counts the recorded outcomes. Counts of
1 to 7 are shown as ``<8`` unless the report is for internal use (``exact``),
and the share of replies that were eligible is left blank when either count
is suppressed (pipeline.report.disclosure).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pipeline import db
from pipeline.audit.runs import list_runs
from pipeline.report.disclosure import is_small, percent, small_count

COUNTS = (
    "invited",
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
HEADINGS = {
    "invited": "invited",
    "replied": "replied",
    "eligible": "eligible",
    "recruited": "recruited",
    "ineligible_in_work": "inel: in work",
    "ineligible_retired": "inel: retired",
    "ineligible_no_chronic_pain": "inel: no pain",
    "ineligible_moved": "inel: moved",
    "ineligible_other": "inel: other",
    "complaints": "complaints",
    "declined": "declined",
    "undeliverable": "undeliv.",
    "eligible_share": "eligible/replied",
}


@dataclass(frozen=True)
class YieldTable:
    rows: list[dict]  # dimension, group, the COUNTS (exact)
    notes: list[str]

    def shown(self, *, exact: bool = False) -> list[dict]:
        """Rows as they may be shown: small counts suppressed unless EXACT."""
        return [_shown(r, exact=exact) for r in self.rows]


def _shown(row: dict, *, exact: bool) -> dict:
    out = {"dimension": row["dimension"], "group": row["group"]}
    for name in COUNTS:
        out[name] = str(row[name]) if exact else small_count(row[name])
    if exact:
        out["eligible_share"] = (
            f"{100 * row['eligible'] / row['replied']:.1f}%" if row["replied"] else ""
        )
    elif row["eligible"] == 0 and row["replied"] and not is_small(row["replied"]):
        out["eligible_share"] = "0.0%"
    else:
        out["eligible_share"] = percent(row["eligible"], row["replied"])
    return out


def yield_table(ws) -> YieldTable:
    """Count outcomes of every live letter of WS (exact numbers; suppress when showing)."""
    notes: list[str] = []
    runs = [r for r in list_runs(ws) if r.status in ("published", "committed")]
    with ws.state(read_only=True) as con:
        db.script(con, "audit/yield_tables")
        for run in runs:
            _add_run(con, run, notes)
        cur = db.run(con, "audit/yield_report")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return YieldTable(rows, notes)


def _add_run(con, run, notes: list[str]) -> None:
    for c in run.record().get("codelists", []):
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
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(rows[0]) if rows else ["dimension", "group"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_text(rows: list[dict], *, exact: bool) -> str:
    """A plain table, one block per dimension."""
    if not rows:
        return "Yield: no letters sent from this workspace yet."
    columns = ["group", *COUNTS, "eligible_share"]
    head = {"group": "", **HEADINGS}
    widths = {c: max(len(head[c]), *(len(str(r[c])) for r in rows)) for c in columns}
    title = "Yield of the letters sent" + (
        " (exact counts: internal use only)" if exact else " (counts of 1 to 7 shown as <8)"
    )
    lines = [title]
    for dimension in dict.fromkeys(r["dimension"] for r in rows):
        lines += [
            "",
            f"By {dimension}:" if dimension != "all" else "All letters:",
            "  ".join(
                head[c].ljust(widths[c]) if c == "group" else head[c].rjust(widths[c])
                for c in columns
            ),
        ]
        for r in (r for r in rows if r["dimension"] == dimension):
            lines.append(
                "  ".join(
                    str(r[c]).ljust(widths[c]) if c == "group" else str(r[c]).rjust(widths[c])
                    for c in columns
                )
            )
    return "\n".join(line.rstrip() for line in lines)


def write_report(table: YieldTable, out: Path | None, *, exact: bool) -> str:
    """The report as text (returned), and as a file when OUT is given (.csv: CSV, else text)."""
    from pipeline.fsutil import atomic_write_text

    rows = table.shown(exact=exact)
    text = to_text(rows, exact=exact)
    if out is not None:
        atomic_write_text(
            Path(out), to_csv(rows) if Path(out).suffix.lower() == ".csv" else text + "\n"
        )
    return text
