"""Making codelist versions: import a draft from a CSV, publish a draft into the lock.

Import reads an OpenCodelists-style CSV (``code,term[,category]``, other columns
ignored; Read v2's 7-character form cut to 5) into a new draft version file.
Publish sets the version's status and date in place (keeping the file's comments)
and writes its content hash into codelists.lock. Neither ever changes a
published version.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from pipeline.codelists.codes import CODING_SYSTEMS, code_problem, normalise_code
from pipeline.codelists.expand import content_hash
from pipeline.codelists.model import (
    CodelistProblems,
    CodelistVersion,
    Entry,
    Governance,
    publish_problems,
)
from pipeline.codelists.repository import (
    load_repository,
    read_version_once,
    write_atomic,
    write_lock,
)
from pipeline.codelists.yamlio import flow, scalar
from pipeline.errors import CodelistError, UsageError

STATUS_LINE = re.compile(r"^status:[ \t]*\S*[ \t]*$", re.MULTILINE)
DATE_LINE = re.compile(r"^([ \t]+)date_published:.*$", re.MULTILINE)
GOVERNANCE_LINE = re.compile(r"^governance:[ \t]*$", re.MULTILINE)


def import_csv(
    source: Path, *, root: Path, name: str, coding_system: str, version: str | None = None,
    title: str | None = None, author: str = "",
) -> Path:  # fmt: skip
    """Write SOURCE's codes as a new draft ROOT/NAME/VERSION.yaml and return its path."""
    if coding_system not in CODING_SYSTEMS:
        raise UsageError(
            f"--coding-system {coding_system!r} must be one of {', '.join(CODING_SYSTEMS)}"
        )
    entries = read_codes_csv(source, coding_system)
    version = version or next_version(root, name)
    target = root / name / f"{version}.yaml"
    if target.exists():
        raise CodelistError(f"{target} already exists; give a new --version")
    draft = CodelistVersion(
        name=name, version=version, status="draft", title=title or name.replace("_", " ").capitalize(),
        description=f"Imported from {source.name}.", coding_systems=(coding_system,), entries=tuple(entries),
        categories=tuple(sorted({e.category for e in entries if e.category})),
        governance=Governance(author=author),
    )  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, render_version(draft))
    return target


def read_codes_csv(path: Path, coding_system: str) -> list[Entry]:
    """Entries from a ``code,term[,category]`` CSV; every bad row reported with its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodelistError(
            f"{path}: cannot read ({exc}); give a UTF-8 CSV with code,term columns"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    if "code" not in columns or "term" not in columns:
        raise CodelistError(
            f"{path}:1: the header needs code and term columns (and optionally category)"
        )
    rows: dict[str, tuple[int, str, str, str | None]] = {}
    problems: list[str] = []
    for row in reader:
        _add_row(row, columns, reader.line_num, rows, problems, path, coding_system)
    if problems or not rows:
        raise CodelistProblems(problems or [f"{path}: no codes in the file"])
    return [
        Entry(coding_system, code, term, category=cat)
        for code, (_, _, term, cat) in sorted(rows.items())
    ]


def _add_row(row, columns, line, rows, problems, path, system) -> None:
    raw = (row.get(columns["code"]) or "").strip()
    code, term = normalise_code(system, raw), (row.get(columns["term"]) or "").strip()
    category = None
    if "category" in columns:
        category = (row.get(columns["category"]) or "").strip() or None
    problem = code_problem(system, code)
    if problem:
        problems.append(f"{path}:{line}: {problem}")
        return
    # Read v2 term id "00" is the preferred term; other ids are synonyms of the same code.
    preference = 0 if len(raw) != 7 or raw.endswith("00") else 1
    earlier = rows.get(code)
    if earlier and earlier[3] != category:
        problems.append(
            f"{path}:{line}: {code} has category {category!r} here but {earlier[3]!r} on line {earlier[0]}"
        )
    elif earlier is None or preference < earlier[1]:
        rows[code] = (line, preference, term, category)


def next_version(root: Path, name: str) -> str:
    """One more than the highest numeric version of NAME ("1" for a new codelist)."""
    folder = root / name
    stems = [p.stem for p in folder.glob("*.y*ml")] if folder.is_dir() else []
    numbers = [int(s) for s in stems if s.isdigit()]
    return str(max(numbers, default=0) + 1)


def render_version(v: CodelistVersion) -> str:
    """A version as YAML text, in the layout docs/codelists.md shows (stable, diffable)."""
    g = v.governance
    lines = [
        f"# Codelist {v.name} version {v.version}. Format: docs/codelists.md. A published version never changes.",
        f"name: {scalar(v.name)}",
        f"version: {scalar(v.version)}",
        f"status: {v.status}",
        f"title: {scalar(v.title)}",
        f"description: {scalar(v.description)}",
        f"coding_systems: [{', '.join(v.coding_systems)}]",
    ]
    if v.categories:
        lines.append(f"categories: [{', '.join(v.categories)}]")
    lines += [
        "governance:",
        f"  author: {scalar(g.author or None)}",
        f"  reviewer: {scalar(g.reviewer or None)}",
        f"  date_published: {scalar(g.date_published.isoformat() if g.date_published else None)}",
        "  sources:" + ("" if g.sources else " []"),
        *(
            f"    - {flow({'title': s.title, 'url': s.url or None, 'note': s.note or None})}"
            for s in g.sources
        ),
        "include:",
        *(f"  - {flow(_entry_fields(e))}" for e in v.entries),
    ]
    if v.excludes:
        lines += ["exclude:", *(f"  - {flow(_entry_fields(e))}" for e in v.excludes)]
    return "\n".join(lines) + "\n"


def _entry_fields(e: Entry) -> dict:
    return {
        "system": e.coding_system,
        "code": e.code,
        "descendants": True if e.descendants else None,
        "category": e.category,
        "term": e.term,
    }


def publish(root: Path, name: str, version: str, *, today: dt.date | None = None) -> str:
    """Publish draft NAME@VERSION: set its status and date, lock its hash; return the hash."""
    repo = load_repository(root)
    draft = repo.get(name, version)
    if draft.published:
        raise CodelistError(f"{draft.label} is already published; published versions never change")
    missing = publish_problems(draft, dated=False)
    if missing:
        raise CodelistError(
            f"{repo.path(name, version)}: cannot publish {draft.label}: {'; '.join(missing)}"
        )
    path = repo.path(name, version)
    write_atomic(path, published_text(path.read_text(encoding="utf-8"), today or dt.date.today()))
    digest = content_hash(read_version_once(path))
    write_lock(root, {**repo.lock, (name, version): digest})
    return digest


def published_text(text: str, day: dt.date) -> str:
    """TEXT with ``status: published`` and governance ``date_published: DAY``."""
    if len(STATUS_LINE.findall(text)) != 1 or not GOVERNANCE_LINE.search(text):
        raise CodelistError(
            "cannot find one top-level status: line and a governance: block; set them by hand"
        )
    text = STATUS_LINE.sub("status: published", text)
    if DATE_LINE.search(text):
        return DATE_LINE.sub(
            lambda m: f"{m.group(1)}date_published: {day.isoformat()}", text, count=1
        )
    return GOVERNANCE_LINE.sub(f"governance:\n  date_published: {day.isoformat()}", text, count=1)
