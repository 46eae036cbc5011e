"""The run record (RUN/run_record.json): everything needed to say, months later,
exactly what a run was given, what it did and what it left, with no patient data.

Written by the orchestrator after every output is in the staging folder and
before the commit (also for a run that failed validation). It closes the run's
database first, so the hash it records is the hash of the file as kept. The
compiled study SQL is saved beside it (``compiled_study.sql``).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

from pipeline import __version__, db, paths
from pipeline.audit.log import current_head
from pipeline.audit.runs import RECORD_NAME, RUN_DB, open_run_db, tables
from pipeline.fsutil import atomic_write_text, sha256_file, sha256_text
from pipeline.workspace import now, operator

FORMAT = "cohort-finder run record v1"
COMPILED_SQL = "compiled_study.sql"
LOCK_FILE = "codelists.lock"


def write_run_record(state) -> Path:
    """Write run_record.json (and compiled_study.sql) into state.stage_dir; returns its path.

    Closes ``state.con`` (after a CHECKPOINT) if it is still open: nothing may
    change run.duckdb after its hash is taken.
    """
    stage = Path(state.stage_dir)
    facts = _run_db_facts(state)
    sql = _write_compiled_sql(state, stage)
    record = {
        "format": FORMAT,
        "run_id": state.run_id,
        "status": "complete" if state.status == "started" else state.status,
        "started_at": _iso(state.started_at),
        "finished_at": _iso(now()),
        "operator": operator(),
        "tool": {"name": "cohort-finder", "version": __version__, "git_commit": git_commit()},
        "options": _options(state.options),
        "engine": dict(state.engine),
        "study": _study(state.study),
        "index_dates": facts["index_dates"],
        "codelists": codelist_entries(state.study, state.codelists),
        "codelists_lock": _file_entry(paths.CODELISTS_DIR / LOCK_FILE),
        "inputs": _inputs(state.load),
        "compiled_sql": sql,
        "validation": [validation_entry(s) for s in state.validation],
        "attrition": facts["attrition"],
        "counts": {"invited": state.invited, **facts["counts"]},
        "ranking": state.ranking,
        "screening": state.screening,
        "timings": dict(state.timings),
        "duckdb": dict(state.duckdb_settings),  # run.duckdb's effective threads, memory_limit
        "audit_head": current_head(state.workspace),  # the log as the run found it
    }
    record["run_database"] = _file_entry(stage / RUN_DB, name=RUN_DB)
    record["outputs"] = output_entries(stage)
    path = stage / RECORD_NAME
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    return path


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _run_db_facts(state) -> dict:
    """Index dates, attrition and counts from the run database; closes state.con."""
    con = state.con
    if con is not None:
        facts = read_run_facts(con)
        con.execute("CHECKPOINT")
        con.close()
        state.con = None
        return facts
    path = Path(state.stage_dir) / RUN_DB
    if not path.exists():
        return {"index_dates": {}, "attrition": [], "counts": {}}
    with open_run_db(path) as ro:
        return read_run_facts(ro)


def read_run_facts(con) -> dict:
    """What the record keeps from the run database: per-practice index dates,
    attrition counts, and how many patients were considered, held or invited."""
    facts: dict = {"index_dates": {}, "attrition": [], "counts": {}}
    present = tables(con)
    if "run_practices" in present:
        rows = db.run(con, "audit/record_index_dates").fetchall()
        facts["index_dates"] = {code: _iso(day) for code, day in rows}
    if "attrition" in present:
        cur = db.run(con, "audit/record_attrition")
        names = [d[0] for d in cur.description]
        facts["attrition"] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for table in ("population", "quarantine"):
        if table in present:
            facts["counts"][table] = db.run(con, f"audit/count_{table}").fetchone()[0]
    return facts


def _write_compiled_sql(state, stage: Path) -> dict | None:
    if state.study is None:
        return None
    from pipeline.study.compile import compile_study

    compiled = compile_study(state.study)
    text = compiled.sql
    atomic_write_text(stage / COMPILED_SQL, text)
    return {
        "file": COMPILED_SQL,
        "sha256": sha256_text(text),
        "parameters": compiled.params,
    }


def _options(options) -> dict:
    keep = ("index_date", "max_invites_per_practice", "seed", "letter_date", "reply_days")
    keep += ("memory_limit", "threads", "engine")
    found = {k: vars(options)[k] for k in keep}
    found["extracts"] = [str(Path(p).resolve()) for p in options.extracts]
    if options.engine == "spark":
        found["spark_master"] = options.spark_master
        found["extracts"] = list(options.locations) or found["extracts"]
    found["study_path"] = str(Path(options.study_path).resolve())
    return json.loads(json.dumps(found, default=str))


def _study(study) -> dict | None:
    if study is None:
        return None
    return {
        "name": study.name,
        "title": study.title,
        "file": study.source,
        "sha256": study.sha256,
        "parameters": study.parameters(),
    }


def codelist_entries(study, versions) -> list[dict]:
    """Each codelist role of the study: the codelist name, version and content hash."""
    from pipeline.codelists.expand import content_hash

    hashes = {(cv.name, str(cv.version)): content_hash(cv) for cv in versions}
    refs = (
        study.codelist_refs()
        if study is not None
        else [(None, cv.name, str(cv.version)) for cv in versions]
    )
    return [
        {
            "role": role,
            "name": name,
            "version": str(version),
            "content_hash": hashes.get((name, str(version))),
        }
        for role, name, version in refs
    ]


def _inputs(load) -> dict:
    if load is None:
        return {"files": [], "row_counts": {}, "future_records": {}}
    folders = {Path(m.folder).resolve(): m.practice_code for m in load.manifests}
    files = [Path(m.folder) / "manifest.yaml" for m in load.manifests] + list(load.files)
    entries = [
        {**_file_entry(f), "practice_code": folders.get(Path(f).resolve().parent)} for f in files
    ]
    return {
        "files": sorted(entries, key=lambda e: (e["practice_code"] or "", e["path"])),
        "row_counts": _nested(load.row_counts),
        "future_records": _nested(load.future_records),
    }


def _nested(counts: dict) -> dict:
    out: dict = {}
    for (practice, table), n in sorted(counts.items()):
        out.setdefault(practice, {})[table] = n
    return out


def _file_entry(path: Path, *, name: str | None = None) -> dict | None:
    path = Path(path)
    if not path.is_file():
        return None
    shown = name or str(path.resolve())
    return {"path": shown, "sha256": sha256_file(path), "bytes": path.stat().st_size}


def output_entries(stage: Path) -> list[dict]:
    """Every file in the run folder except the record itself and run.duckdb (listed apart)."""
    skip = {RECORD_NAME, RUN_DB, RUN_DB + ".wal"}
    found = []
    for path in sorted(p for p in stage.rglob("*") if p.is_file()):
        rel = path.relative_to(stage).as_posix()
        if rel not in skip:
            found.append(_file_entry(path, name=rel))
    return found


def validation_entry(summary) -> dict:
    """A validation summary as counts and names (never the failing values themselves)."""
    for method in ("to_dict", "to_record", "as_record"):
        fn = getattr(summary, method, None)
        if callable(fn):
            found = {**fn(), "seconds": getattr(summary, "seconds", None)}
            return json.loads(json.dumps(found, default=str))
    if dataclasses.is_dataclass(summary):
        return {
            f.name: _scalar(getattr(summary, f.name))
            for f in dataclasses.fields(summary)
            if _scalar(getattr(summary, f.name)) is not None
        }
    return {"summary": type(summary).__name__}


def _scalar(value):
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(v, bool | int | float | str) for v in value
    ):
        return list(value)
    return None


def git_commit() -> str | None:
    """The commit of the tool's checkout, or None when it is not a git checkout."""
    if not (paths.ROOT / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(paths.ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = out.stdout.strip()
    return text if len(text) == 40 else None
