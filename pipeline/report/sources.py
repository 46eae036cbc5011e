"""The run's own files the report summarises: validation/results.json (written by
pipeline/validation) and run_record.json (written by pipeline/audit).

Only named fields are copied out (names, versions, hashes, counts), never an
error's text or a sample of failing values, so nothing a check happened to echo
can reach the report. A missing or unreadable file gives an empty result and a
note, not an error: the report must still be written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.report.disclosure import small_count

VALIDATION_FORMAT = "cohort-validation-results/1"
RESULTS_PATH = Path("validation") / "results.json"
RECORD_NAME = "run_record.json"


@dataclass(frozen=True)
class Check:
    suite: str
    table: str
    description: str
    column: str | None
    severity: str
    success: bool
    found: str

    @property
    def blocking_failure(self) -> bool:
        return not self.success and self.severity == "blocking"

    @property
    def warning(self) -> bool:
        return not self.success and self.severity != "blocking"


@dataclass(frozen=True)
class Suite:
    name: str
    checks: int
    passed: int
    blocking_failures: int
    warnings: int


@dataclass
class Validation:
    found: bool = False
    passed: bool | None = None
    suites: list[Suite] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    note: str = ""

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.blocking_failure]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.warning]


def _load_json(path: Path) -> dict | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _found(result: dict) -> str:
    """What a check found, as counts (small counts suppressed), never the values."""
    if result.get("error"):
        return "could not be checked"
    n = result.get("unexpected_count")
    if n is None:
        return "passed" if result.get("success") else "failed"
    unit = str(result.get("unit") or "rows")
    if unit.startswith("practice"):  # practices are not people: no need to suppress
        return f"{int(n):,} {unit}"
    return f"{small_count(int(n))} {unit}"


def read_validation(run_dir: Path) -> Validation:
    """The validation results of the run in RUN_DIR (empty when there are none)."""
    path = run_dir / RESULTS_PATH
    doc = _load_json(path)
    if doc is None or doc.get("format") != VALIDATION_FORMAT:
        note = (
            "No validation results were found in this run folder."
            if doc is None
            else (
                f"{RESULTS_PATH} is in a format this report does not know ({doc.get('format')!r})."
            )
        )
        return Validation(note=note)
    suites = [
        Suite(
            str(s.get("name")),
            int(s.get("checks", 0)),
            int(s.get("passed", 0)),
            int(s.get("blocking_failures", 0)),
            int(s.get("warnings", 0)),
        )
        for s in doc.get("suites", [])
    ]
    checks = [
        Check(
            str(r.get("suite")),
            str(r.get("table", "")),
            str(r.get("description", "")),
            r.get("column"),
            str(r.get("severity", "")),
            bool(r.get("success")),
            _found(r),
        )
        for r in doc.get("results", [])
    ]
    return Validation(found=True, passed=bool(doc.get("passed")), suites=suites, checks=checks)


@dataclass(frozen=True)
class Hashed:
    label: str
    version: str
    sha256: str
    detail: str = ""


@dataclass
class Provenance:
    found: bool = False
    study: Hashed | None = None
    codelists: list[Hashed] = field(default_factory=list)
    tool: Hashed | None = None
    others: list[Hashed] = field(default_factory=list)  # lock file, compiled SQL, run database
    inputs: list[Hashed] = field(default_factory=list)
    record_sha256: str = ""
    note: str = ""
    engine: str = ""  # which engine judged the extract (run record "engine")


def read_record(run_dir: Path) -> Provenance:
    """Versions and hashes from RUN_DIR/run_record.json (empty when absent)."""
    from pipeline.fsutil import sha256_file

    path = run_dir / RECORD_NAME
    doc = _load_json(path)
    if doc is None:
        return Provenance(
            note=f"No {RECORD_NAME} was found in this run folder, so versions and hashes are not shown."
        )
    study, tool = doc.get("study") or {}, doc.get("tool") or {}
    return Provenance(
        found=True,
        study=Hashed(
            str(study.get("name", "")), str(study.get("title", "")), str(study.get("sha256", ""))
        )
        if study
        else None,
        codelists=[
            Hashed(
                str(c.get("name", "")),
                str(c.get("version", "")),
                str(c.get("content_hash", "")),
                str(c.get("role") or ""),
            )
            for c in doc.get("codelists") or []
        ],
        tool=Hashed(
            str(tool.get("name", "cohort-finder")),
            str(tool.get("version", "")),
            str(tool.get("git_commit") or ""),
        )
        if tool
        else None,
        others=_others(doc),
        inputs=_inputs(doc),
        record_sha256=sha256_file(path),
        engine=engine_text(doc.get("engine") or {}),
    )


def engine_text(engine: dict) -> str:
    """'DuckDB 1.x' or 'Spark 4.3.0 (master local[*])', from the run record's engine entry."""
    if engine.get("name") == "spark":
        return f"Spark {engine.get('spark_version', '')} (master {engine.get('master', '')})"
    if engine.get("name") == "duckdb":
        return f"DuckDB {engine.get('duckdb_version', '')}".strip()
    return ""


def _others(doc: dict) -> list[Hashed]:
    found = []
    for key, label in (
        ("codelists_lock", "Codelist lock file"),
        ("compiled_sql", "Compiled study SQL"),
        ("run_database", "Run database"),
    ):
        entry = doc.get(key)
        if isinstance(entry, dict) and entry.get("sha256"):
            found.append(
                Hashed(
                    label,
                    Path(str(entry.get("path") or entry.get("file") or "")).name,
                    entry["sha256"],
                )
            )
    return found


def _inputs(doc: dict) -> list[Hashed]:
    files = (doc.get("inputs") or {}).get("files") or []
    return [
        Hashed(
            str(f.get("practice_code") or ""),
            Path(str(f.get("path", ""))).name,
            str(f.get("sha256", "")),
        )
        for f in files
        if isinstance(f, dict)
    ]
