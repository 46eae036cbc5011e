"""write_report: the run's report.html, one self-contained page to read and share.

Everything is inline (CSS, SVG); nothing is fetched. The page holds counts,
names of practices, rules, files, versions and hashes only, never a patient's
identifiers, and counts from 1 to 7 are shown as ``<8`` (disclosure.py), so it
can be emailed to the research team.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import jinja2

from pipeline import __version__
from pipeline.fsutil import atomic_write_text
from pipeline.paths import TEMPLATES_DIR
from pipeline.report import flow, venn
from pipeline.report.collect import RunCounts, collect
from pipeline.report.disclosure import percent, small_count
from pipeline.report.outputs import output_files
from pipeline.report.sources import read_record, read_validation

REPORT_NAME = "report.html"
RUN_DB = "run.duckdb"
TEMPLATE = "report/report.html.j2"


def write_report(
    run_dir_or_stage: Path | str,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    state: RunState | None = None,
) -> Path:
    """Write RUN_DIR/report.html from the run database and the run's files; return its path.

    CON is the run's open connection, if any (else RUN_DIR/run.duckdb is opened
    read-only). STATE, the orchestrator's RunState, adds the run id, status and
    final folder when the report is written in the staging folder.
    """
    run_dir = Path(run_dir_or_stage)
    with _connection(run_dir, con) as c:
        counts = collect(c) if c is not None else None
    html = render(context(run_dir, counts, state=state))
    path = run_dir / REPORT_NAME
    atomic_write_text(path, html)
    return path


@contextlib.contextmanager
def _connection(run_dir: Path, con) -> Iterator[duckdb.DuckDBPyConnection | None]:
    if con is not None:
        yield con
        return
    path = run_dir / RUN_DB
    if not path.is_file():
        yield None
        return
    ro = duckdb.connect(str(path), read_only=True)
    try:
        yield ro
    finally:
        ro.close()


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = small_count
    env.globals["percent"] = percent
    return env


if TYPE_CHECKING:
    from pipeline.run import RunState


def render(ctx: dict) -> str:
    return _environment().get_template(TEMPLATE).render(**ctx)


def _status(state: RunState | None, record_status: str | None, validation) -> str:
    """complete | failed_validation | unknown."""
    status = (state.status if state is not None else None) or record_status
    if status == "failed_validation" or (validation.found and validation.passed is False):
        return "failed_validation"
    return (
        "complete"
        if status in ("started", "complete", "published", "committed") or validation.found
        else "unknown"
    )


def context(run_dir: Path, counts: RunCounts | None, *, state: RunState | None = None) -> dict:
    """Everything the template shows, already reduced to counts and names."""
    validation, provenance = read_validation(run_dir), read_record(run_dir)
    record = _record_head(run_dir)
    status = _status(state, record.get("status"), validation)
    stopped = status == "failed_validation"
    counts = counts or RunCounts(frozenset(), [], [], [], {})
    return {
        "run_id": (state.run_id if state is not None else None)
        or record.get("run_id")
        or run_dir.name,
        "study": _study_title(state, provenance),
        "status": status,
        "stopped": stopped,
        "generated_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "version": __version__,
        "counts": counts,
        "index_dates": _index_dates(counts),
        "headline": _headline(counts, stopped=stopped),
        "flow": flow.diagrams(counts, stopped=stopped),
        "combos": venn.combinations(counts.routes),
        "route_totals": venn.totals(counts.routes),
        "regions": venn.regions(venn.combinations(counts.routes)),
        "circles": venn.CIRCLES,
        "radius": venn.RADIUS,
        "route_names": venn.ROUTE_NAMES,
        "validation": validation,
        "provenance": provenance,
        "out_dir": Path(state.out_dir if state is not None else run_dir).resolve(),
        "outputs": output_files(run_dir),
        "warnings": list(getattr(state, "warnings", None) or []),
    }


def _record_head(run_dir: Path) -> dict:
    from pipeline.report.sources import RECORD_NAME, _load_json

    doc = _load_json(run_dir / RECORD_NAME) or {}
    return {k: doc.get(k) for k in ("run_id", "status", "started_at")}


def _study_title(state: RunState | None, provenance) -> str:
    study = state.study if state is not None else None
    if study is not None:
        return study.title or study.name
    if provenance.study is not None:
        return provenance.study.version or provenance.study.label
    return ""


def _index_dates(counts: RunCounts) -> str:
    dates = sorted({p.index_date for p in counts.practices if p.index_date is not None})
    if not dates:
        return ""
    if all(p.index_date == p.extract_date for p in counts.practices):
        return "each practice's extract date" + (f" ({dates[0]})" if len(dates) == 1 else "")
    return str(dates[0]) if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"


def _headline(counts: RunCounts, *, stopped: bool) -> list[tuple[str, int | None, str]]:
    """The key figures: (label, count, kind)."""
    pain = counts.step("no_chronic_pain")
    held = counts.step("data_quality")
    found = [("Patients in the extracts", counts.patients, "")]
    if pain is not None:
        found.append(("With chronic pain, of working age", pain.remaining, ""))
    if held is not None:
        found.append(("Held back for data quality", held.removed, "warn" if held.removed else ""))
    if counts.deferred:
        found.append(("Deferred (practice limit)", counts.deferred, ""))
    if not stopped and counts.invited is not None:
        found.append(("Invited", counts.invited, "good"))
    return found
