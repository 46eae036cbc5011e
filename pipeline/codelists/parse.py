"""Read one codelist version file (and its code table / hierarchy CSVs) into a CodelistVersion.

Every problem in every part of the files is collected, as ``file:line: what``,
before anything fails. The format is described in docs/codelists.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace

import yaml

from pipeline.codelists import yamlio
from pipeline.codelists.codes import code_problem
from pipeline.codelists.model import (
    CodelistProblems,
    CodelistVersion,
    Entry,
    Governance,
    KnownCode,
    Link,
    Source,
    entry_problems,
    link_problems,
    located,
)

TOP_KEYS = (
    "name", "version", "status", "title", "description", "coding_systems", "categories",
    "governance", "code_table", "hierarchy", "include", "exclude",
)  # fmt: skip
ENTRY_KEYS = ("system", "code", "term", "descendants", "category")
GOVERNANCE_KEYS = ("author", "reviewer", "date_published", "sources", "terminology_releases")
SOURCE_KEYS = ("title", "url", "note")
CODE_TABLE_COLUMNS = ("coding_system", "code", "term")
HIERARCHY_COLUMNS = ("coding_system", "parent", "child")


class _Problems(list):
    """Problems of one file, each added with its line."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def add(self, line: int | None, text: str) -> None:
        self.extend(located(str(self.path), [(line, text)]))


def read_version(path: Path) -> CodelistVersion:
    """The codelist version in PATH; CodelistProblems lists everything wrong with it."""
    problems = _Problems(path)
    doc = _document(path, problems)
    if doc is None:
        raise CodelistProblems(problems)
    fields = _fields(doc, problems)
    code_table = _sidecar(path, doc, "code_table", CODE_TABLE_COLUMNS, _known_code, problems)
    hierarchy = _sidecar(path, doc, "hierarchy", HIERARCHY_COLUMNS, _link, problems)
    if problems:
        raise CodelistProblems(problems)
    try:
        return CodelistVersion(**fields, code_table=tuple(code_table), hierarchy=tuple(hierarchy))
    except CodelistProblems as exc:
        raise CodelistProblems(located(str(path), exc.raw)) from None


def _document(path: Path, problems: _Problems) -> yamlio.Mapping | None:
    try:
        doc = yamlio.read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(None, f"cannot read: {exc}")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add(
            mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}"
        )
        return None
    if not isinstance(doc, yamlio.Mapping):
        problems.add(None, "must be a YAML mapping of name, version, status, title, include, ...")
        return None
    return doc


def _fields(doc: yamlio.Mapping, problems: _Problems) -> dict:
    _unknown_keys(doc, TOP_KEYS, "top-level key", problems)
    for key in ("name", "version", "status", "title", "coding_systems", "include"):
        if doc.get(key) is None:
            problems.add(doc.line, f"{key} is missing")
    return {
        "name": _text(doc, "name", problems),
        "version": _text(doc, "version", problems),
        "status": _text(doc, "status", problems),
        "title": _text(doc, "title", problems),
        "description": _text(doc, "description", problems),
        "coding_systems": _words(doc, "coding_systems", problems),
        "categories": _words(doc, "categories", problems),
        "governance": _governance(doc.get("governance"), doc, problems),
        "entries": _entries(doc, "include", problems),
        "excludes": _entries(doc, "exclude", problems),
    }


def _unknown_keys(
    mapping: yamlio.Mapping, allowed: tuple[str, ...], what: str, problems: _Problems
) -> None:
    for key in mapping:
        if key not in allowed:
            problems.add(
                mapping.line_of(key),
                f"unknown {what} {key!r}; expected one of {', '.join(allowed)}",
            )


def _text(mapping: yamlio.Mapping, key: str, problems: _Problems) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(mapping.line_of(key), f"{key} must be text")
        return ""
    return value.strip()


def _words(mapping: yamlio.Mapping, key: str, problems: _Problems) -> tuple[str, ...]:
    value = mapping.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(
            mapping.line_of(key), f"{key} must be a list of words, e.g. [readv2, snomedct]"
        )
        return ()
    return tuple(value)


def _entries(doc: yamlio.Mapping, key: str, problems: _Problems) -> tuple[Entry, ...]:
    items = doc.get(key)
    if items is None:
        return ()
    if not isinstance(items, list):
        problems.add(doc.line_of(key), f"{key} must be a list of {{system, code, term}} entries")
        return ()
    return tuple(e for e in (_entry(item, doc.line_of(key), problems) for item in items) if e)


def _entry(item, list_line: int, problems: _Problems) -> Entry | None:
    if not isinstance(item, yamlio.Mapping):
        problems.add(
            list_line,
            f"entry {item!r} must be a mapping like {{system: readv2, code: 16C.., term: ...}}",
        )
        return None
    _unknown_keys(item, ENTRY_KEYS, "entry key", problems)
    descendants = yamlio.boolean(item.get("descendants", "false"))
    fields = {
        "coding_system": item.get("system") or "",
        "code": item.get("code") or "",
        "term": str(item.get("term") or "").strip(),
        "descendants": descendants if descendants is not None else item.get("descendants"),
        "category": item.get("category"),
        "line": item.line,
    }
    found = entry_problems(SimpleNamespace(**fields))
    if not fields["term"]:
        found.append(f"{fields['code']}: term is missing; give the code's term")
    for text in found:
        problems.add(item.line, text)
    return None if found else Entry(**fields)


def _governance(value, doc: yamlio.Mapping, problems: _Problems) -> Governance:
    if value is None:
        return Governance()
    if not isinstance(value, yamlio.Mapping):
        problems.add(
            doc.line_of("governance"), "governance must be a mapping of author, reviewer, ..."
        )
        return Governance()
    _unknown_keys(value, GOVERNANCE_KEYS, "governance key", problems)
    return Governance(
        author=_text(value, "author", problems),
        reviewer=_text(value, "reviewer", problems),
        date_published=_date(value, "date_published", problems),
        sources=_sources(value, problems),
        terminology_releases=_releases(value, problems),
    )


def _date(mapping: yamlio.Mapping, key: str, problems: _Problems) -> dt.date | None:
    value = mapping.get(key)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.add(mapping.line_of(key), f"{key} {value!r} is not a date written YYYY-MM-DD")
        return None


def _sources(governance: yamlio.Mapping, problems: _Problems) -> tuple[Source, ...]:
    items = governance.get("sources") or []
    if not isinstance(items, list) or not all(isinstance(i, yamlio.Mapping) for i in items):
        problems.add(governance.line_of("sources"), "sources must be a list of {title, url, note}")
        return ()
    for item in items:
        _unknown_keys(item, SOURCE_KEYS, "source key", problems)
        if not _text(item, "title", problems):
            problems.add(item.line, "a source needs a title")
    return tuple(Source(**{k: _text(i, k, problems) for k in SOURCE_KEYS}) for i in items)


def _releases(governance: yamlio.Mapping, problems: _Problems) -> tuple[tuple[str, str], ...]:
    value = governance.get("terminology_releases") or yamlio.Mapping()
    if not isinstance(value, yamlio.Mapping):
        problems.add(
            governance.line_of("terminology_releases"),
            "terminology_releases must map a coding system to its release",
        )
        return ()
    return tuple(sorted((str(k), _text(value, k, problems)) for k in value))


def _sidecar(
    path: Path, doc: yamlio.Mapping, key: str, columns: tuple[str, ...], make, problems: _Problems
) -> list:
    name = doc.get(key)
    if name is None:
        return []
    sidecar = path.parent / str(name)
    if Path(str(name)).name != str(name) or not sidecar.is_file():
        problems.add(doc.line_of(key), f"{key} {name!r} must name a CSV file beside {path.name}")
        return []
    csv_problems = _Problems(sidecar)
    rows = [
        make(row, line, csv_problems) for line, row in _csv_rows(sidecar, columns, csv_problems)
    ]
    problems.extend(csv_problems)
    return _unique(rows, key, csv_problems, problems)


def _csv_rows(path: Path, columns: tuple[str, ...], problems: _Problems):
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [c.strip().lower() for c in reader.fieldnames or []]
    if tuple(header) != columns:
        problems.add(1, f"header must be exactly {','.join(columns)}")
        return
    reader.fieldnames = header
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _known_code(row: dict, line: int, problems: _Problems):
    problem = code_problem(row["coding_system"], row["code"])
    if problem:
        problems.add(line, problem)
        return None
    return line, KnownCode(row["coding_system"], row["code"], row["term"])


def _link(row: dict, line: int, problems: _Problems):
    found = link_problems(row["coding_system"], row["parent"], row["child"])
    for text in found:
        problems.add(line, text)
    return None if found else (line, Link(row["coding_system"], row["parent"], row["child"]))


def _unique(rows: list, key: str, csv_problems: _Problems, problems: _Problems) -> list:
    """The rows, reporting any row given twice (a code listed twice, an edge repeated)."""
    seen: dict = {}
    for line, row in (r for r in rows if r):
        identity = (row.coding_system, row.code) if key == "code_table" else row
        if identity in seen:
            problems.extend(
                located(str(csv_problems.path), [(line, f"repeats line {seen[identity][0]}")])
            )
        seen.setdefault(identity, (line, row))
    return [row for _, row in seen.values()]
