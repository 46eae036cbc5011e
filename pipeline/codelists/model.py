"""Codelist versions as small frozen objects that check themselves on construction.

A version holds a *definition* (codes included, each with or without descendants,
and codes excluded) plus what is needed to expand it: an optional code table
(known codes with terms) and, for SNOMED CT / CTV3 / dm+d, an optional hierarchy
(parent -> child). The objects hold no SQL and read no files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.codelists.codes import CODING_SYSTEMS, POSITIONAL, code_problem
from pipeline.errors import CodelistError

STATUSES = ("draft", "published")
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
CATEGORY = re.compile(r"[a-z][a-z0-9_]{0,31}")


# A problem found in a definition: the line it is on (None: the whole file) and what is wrong.
Problem = tuple[int | None, str]


class CodelistProblems(CodelistError):
    """Every problem found in codelist files; the message is the first and a count."""

    def __init__(self, problems: list[str], *, raw: list[Problem] | None = None):
        more = f" (and {len(problems) - 1} more problems; `cohort codelists check` lists them)"
        super().__init__(problems[0] + (more if len(problems) > 1 else ""))
        self.problems = list(problems)
        self.raw = raw or []


def located(where: str, problems: list[Problem]) -> list[str]:
    """Problems as ``WHERE:LINE: message`` (``WHERE: message`` without a line)."""
    return [f"{where}:{line}: {text}" if line else f"{where}: {text}" for line, text in problems]


def _fail(where: str, problems: list[Problem]) -> None:
    if problems:
        raise CodelistProblems(located(where, problems), raw=problems)


@dataclass(frozen=True)
class Entry:
    """One line of a definition: a code, with or without its descendants."""

    coding_system: str
    code: str
    term: str = ""
    descendants: bool = False
    category: str | None = None
    line: int | None = field(default=None, compare=False)

    def __post_init__(self):
        _fail(f"{self.coding_system} {self.code}", [(self.line, p) for p in entry_problems(self)])

    @property
    def key(self) -> tuple[str, str]:
        return (self.coding_system, self.code)

    @property
    def positional(self) -> bool:
        return self.coding_system in POSITIONAL


def entry_problems(e: Entry) -> list[str]:
    """What is wrong with one entry on its own (its code's shape, its flags)."""
    found = [code_problem(e.coding_system, e.code)]
    if not isinstance(e.descendants, bool):
        found.append(f"{e.code}: descendants must be true or false")
    if e.category is not None and not (
        isinstance(e.category, str) and CATEGORY.fullmatch(e.category)
    ):
        found.append(f"{e.code}: category {e.category!r} is not a lower-case word")
    if not isinstance(e.term, str):
        found.append(f"{e.code}: term must be text")
    return [p for p in found if p]


@dataclass(frozen=True)
class KnownCode:
    """A row of a codelist's code table: a code known to exist, with its term."""

    coding_system: str
    code: str
    term: str

    def __post_init__(self):
        _fail("code table", [(None, p) for p in [code_problem(self.coding_system, self.code)] if p])


@dataclass(frozen=True)
class Link:
    """A parent -> child edge of a SNOMED CT / CTV3 / dm+d hierarchy file."""

    coding_system: str
    parent: str
    child: str

    def __post_init__(self):
        _fail(
            "hierarchy",
            [(None, p) for p in link_problems(self.coding_system, self.parent, self.child)],
        )


def link_problems(system: str, parent: str, child: str) -> list[str]:
    if system in POSITIONAL:
        return [f"{system} needs no hierarchy file: its codes are positional"]
    found = [code_problem(system, parent), code_problem(system, child)]
    if parent == child:
        found.append(f"{parent} is its own parent")
    return [p for p in found if p]


@dataclass(frozen=True)
class Source:
    title: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Governance:
    author: str = ""
    reviewer: str = ""
    date_published: dt.date | None = None
    sources: tuple[Source, ...] = ()
    terminology_releases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CodelistVersion:
    """One version of one codelist, e.g. ``chronic_pain_diagnosis`` version ``1``."""

    name: str
    version: str
    status: str
    title: str
    coding_systems: tuple[str, ...]
    entries: tuple[Entry, ...]
    excludes: tuple[Entry, ...] = ()
    description: str = ""
    categories: tuple[str, ...] = ()
    governance: Governance = Governance()
    code_table: tuple[KnownCode, ...] = ()
    hierarchy: tuple[Link, ...] = ()

    def __post_init__(self):
        _fail(f"{self.name}@{self.version}", version_problems(self))

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def published(self) -> bool:
        return self.status == "published"


def version_problems(v: CodelistVersion) -> list[Problem]:
    """Problems of a whole version (each entry has checked its own code)."""
    problems = _header_problems(v) + _entry_problems(v)
    if v.status == "published":
        problems += [(None, p) for p in publish_problems(v)]
    return problems


def _header_problems(v: CodelistVersion) -> list[Problem]:
    found = []
    if not NAME.fullmatch(str(v.name)):
        found.append(f"name {v.name!r} must be lower-case letters, digits and _ (e.g. dementia)")
    if not VERSION.fullmatch(str(v.version)):
        found.append(f"version {v.version!r} must be letters, digits, '.', '-' or '_' (e.g. 2)")
    if v.status not in STATUSES:
        found.append(f"status {v.status!r} must be draft or published")
    if not str(v.title).strip():
        found.append("title is empty")
    if not v.coding_systems or any(s not in CODING_SYSTEMS for s in v.coding_systems):
        found.append(f"coding_systems must list some of {', '.join(CODING_SYSTEMS)}")
    found += [
        f"category {c!r} is not a lower-case word"
        for c in v.categories
        if not CATEGORY.fullmatch(c)
    ]
    return [(None, p) for p in found]


def _entry_problems(v: CodelistVersion) -> list[Problem]:
    problems: list[Problem] = [] if v.entries else [(None, "includes no codes")]
    hierarchy_systems = {link.coding_system for link in v.hierarchy}
    for kind, entries in (("include", v.entries), ("exclude", v.excludes)):
        seen: set[tuple[str, str]] = set()
        for e in entries:
            problems += [
                (e.line, p) for p in _one_entry(v, kind, e, e.key in seen, hierarchy_systems)
            ]
            seen.add(e.key)
    excluded = {e.key for e in v.excludes}
    problems += [
        (e.line, f"{e.coding_system} {e.code} is both included and excluded")
        for e in v.entries
        if e.key in excluded
    ]
    return problems


def _one_entry(
    v: CodelistVersion, kind: str, e: Entry, repeated: bool, hierarchy_systems: set[str]
) -> list[str]:
    found = []
    if repeated:
        found.append(f"{kind} lists {e.coding_system} {e.code} twice")
    if e.coding_system not in v.coding_systems:
        found.append(f"{e.coding_system} {e.code}: {e.coding_system} is not in coding_systems")
    if e.descendants and not e.positional and e.coding_system not in hierarchy_systems:
        found.append(
            f"{e.coding_system} {e.code} asks for descendants, but {e.coding_system} has no "
            "positional hierarchy; list the codes, or ship a hierarchy file"
        )
    return found + _category_problems(v, kind, e)


def _category_problems(v: CodelistVersion, kind: str, e: Entry) -> list[str]:
    if kind == "exclude":
        return [f"excluded {e.code} cannot have a category"] if e.category else []
    if not v.categories:
        return (
            [f"{e.code} has category {e.category!r} but the codelist declares no categories"]
            if e.category
            else []
        )
    if e.category not in v.categories:
        return [f"{e.code} needs a category, one of {', '.join(v.categories)}"]
    return []


def publish_problems(v: CodelistVersion, *, dated: bool = True) -> list[str]:
    """What a version lacks to be published (without the date, when publishing sets it)."""
    found = []
    if not v.governance.author.strip():
        found.append("a published version needs governance.author")
    if dated and v.governance.date_published is None:
        found.append("a published version needs governance.date_published")
    if not v.governance.sources:
        found.append("a published version needs governance.sources (where the codes came from)")
    return found
