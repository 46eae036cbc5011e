"""Write synthetic practice extracts (docs/extract-format.md) and their answer key.

Everything per patient happens in DuckDB (sql/synth/*.sql), one practice at a
time: `people` holds each patient's latent state, and the patients, events and
medications files are queries over it written with COPY. Practices are written
in parallel by worker threads, each with its own cursor on one in-memory
database that holds the lookups (a practice's few row groups would keep one
query to one thread anyway). The database runs every query on one thread, which
fixes each query's row order; every draw is a hash of the seed and the patient's
number. So the same arguments give byte-identical files however many workers run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.errors import UsageError
from pipeline.synth import lookups, rates
from pipeline.synth.practices import LEGACY_UNTIL, MAX_PRACTICES, Practice, plan, write_manifest

log = logging.getLogger(__name__)

DEFAULT_EXTRACT_DATE = dt.date(2025, 3, 31)
FORMATS = ("csv", "parquet")
TABLES = ("patients", "events", "medications")


@dataclass(frozen=True)
class SynthOptions:
    practices: int
    patients: int
    seed: int
    out: Path
    extract_date: dt.date = DEFAULT_EXTRACT_DATE
    fmt: str = "csv"

    def __post_init__(self):
        problems = options_problems(self)
        if problems:
            raise UsageError("; ".join(problems))


def options_problems(o: SynthOptions) -> list[str]:
    found = []
    if not 1 <= o.practices <= MAX_PRACTICES:
        found.append(f"--practices must be between 1 and {MAX_PRACTICES}")
    if o.patients < o.practices:
        found.append("--patients must be at least --practices (every practice needs a patient)")
    if o.fmt not in FORMATS:
        found.append(f"--format must be one of {', '.join(FORMATS)}")
    if o.out.exists() and (not o.out.is_dir() or any(o.out.iterdir())):
        found.append(f"{o.out} already exists and is not an empty folder; give a new folder")
    return found


@dataclass
class SynthResult:
    out: Path
    practices: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    seconds: float = 0.0


def copy_options(fmt: str, uk_dates: bool) -> str:
    """COPY options, from a fixed set."""
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd"
    return "FORMAT csv, HEADER true" + (", DATEFORMAT '%d/%m/%Y'" if uk_dates else "")


def _bound(text: str, params: dict) -> dict:
    """The PARAMS that TEXT uses as $name outside its comments (whole names only:
    $n is not $nhs_count)."""
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", code)}


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> None:
    """Execute sql/NAME.sql with the PARAMS it uses."""
    text = db.sql_text(name)
    con.execute(text, _bound(text, params))


def _copy(con: duckdb.DuckDBPyConnection, name: str, path: Path, options: str, params: dict) -> int:
    """Write the query sql/NAME.sql to PATH; returns the number of rows written."""
    query = db.sql_text(name).strip().rstrip(";")
    text = f"COPY ({query}) TO $path ({options})"
    return con.execute(text, {**_bound(text, params), "path": str(path)}).fetchall()[0][0]


def _params(practice: Practice, options: SynthOptions, nhs_count: int) -> dict:
    p = practice.profile
    legacy_no = None if p.legacy_system is None else lookups.EVENT_SYSTEMS.index(p.legacy_system)
    return {
        "seed": options.seed,
        "extract_date": options.extract_date,
        "practice_no": practice.number,
        "practice_code": practice.code,
        "first_g": practice.first_g,
        "size": practice.size,
        "legacy_no": legacy_no,
        "legacy_until": LEGACY_UNTIL,
        "read7": p.read7,
        "med_system": p.med_system,
        "nhs_spaced": p.nhs_spaced,
        "nhs_count": nhs_count,
        "towns": [
            {"name": t.name, "county": t.county, "districts": list(t.districts)}
            for t in practice.towns
        ],
        "street_from": practice.street_from,
        "locality_from": practice.locality_from,
        **rates.params(),
    }


def write_practice(
    con, practice: Practice, options: SynthOptions, nhs_count: int
) -> dict[str, int]:
    """One practice's folder (manifest and the three tables) and its truth rows."""
    folder = options.out / practice.code
    folder.mkdir(parents=True)
    write_manifest(folder, practice, options.extract_date)
    params = _params(practice, options, nhs_count)
    _run(con, "synth/people", params)
    _run(con, "synth/conditions", params)
    copy = copy_options(options.fmt, practice.profile.uk_dates)
    rows = {
        t: _copy(con, f"synth/{t}", folder / f"{t}.{options.fmt}", copy, params) for t in TABLES
    }
    _run(con, "synth/truth", params)
    return rows


class Workers:
    """A cursor per worker thread on the run's database, with the synth macros."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.local = threading.local()
        self.opened: list[duckdb.DuckDBPyConnection] = []
        self.lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        if not hasattr(self.local, "cursor"):
            with self.lock:
                cursor = self.con.cursor()
                self.opened.append(cursor)
            db.script(cursor, "synth/macros")
            self.local.cursor = cursor
        return self.local.cursor

    def close(self) -> None:
        for cursor in self.opened:
            cursor.close()


def _database(pools: lookups.Pools, options: SynthOptions) -> tuple[duckdb.DuckDBPyConnection, int]:
    """The run's in-memory database with the lookups and the truth table."""
    con = db.connect()
    con.execute("SET enable_progress_bar = false")
    db.script(con, "synth/macros")
    nhs_count = lookups.create_lookups(con, pools, seed=options.seed, patients=options.patients)
    db.script(con, "synth/truth_table")
    con.execute("SET threads = 1")
    return con, nhs_count


def generate(options: SynthOptions, *, threads: int | None = None) -> SynthResult:
    """Write OPTIONS.practices practice folders and truth.csv under OPTIONS.out,
    writing up to THREADS practices at a time (default: one per CPU)."""
    started = time.perf_counter()
    pools = lookups.build_pools(options.seed)
    practices = plan(
        practices=options.practices, patients=options.patients, seed=options.seed, pools=pools
    )
    con, nhs_count = _database(pools, options)
    if options.patients > nhs_count:
        log.warning(
            "more patients than valid NHS numbers in the 999 test range (%d): numbers repeat",
            nhs_count,
        )
    options.out.mkdir(parents=True, exist_ok=True)
    workers = Workers(con)
    try:
        with ThreadPoolExecutor(min(threads or os.cpu_count() or 1, len(practices))) as pool:
            written = list(
                pool.map(
                    lambda p: write_practice(workers.cursor(), p, options, nhs_count), practices
                )
            )
        _run(con, "synth/write_truth", {"path": str(options.out / "truth.csv")})
    finally:
        workers.close()
        con.close()
    result = SynthResult(out=options.out, practices=[p.code for p in practices])
    for rows in written:
        for table, n in rows.items():
            result.rows[table] += n
    result.seconds = time.perf_counter() - started
    return result
