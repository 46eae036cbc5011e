"""Expansion of a definition into concrete codes, in plain Python.

This is the reference for sql/codelists/codes.sql (tests check they agree) and
what the lock hashes, `show` prints and `diff` compares. The rules:

* every entry's own code is in (it is listed);
* with descendants, Read v2 / BNF add every candidate code that starts with the
  entry's prefix; SNOMED CT / CTV3 / dm+d add the entry's descendants in the
  hierarchy file. Candidates are the code table, the entries' own codes and the
  codes seen in the data;
* an excluded code (with its descendants, if asked) is out, whatever includes it;
* a code matched by several entries takes the category of the most specific:
  its own entry, then the longest prefix / the nearest ancestor.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.codelists.codes import POSITIONAL, prefix
from pipeline.codelists.model import CodelistVersion, Entry, Link

EXACT = 1_000_000
HIERARCHY = 100_000  # minus the depth below the entry's code
NEGATION = re.compile(
    r"^\W*(no|not|never)\b|\bresolved\b|(^|\W)h/o\b|\bhistory of\b|^\W*fh\b|\bfamily history\b",
    re.IGNORECASE,
)

Key = tuple[str, str]


@dataclass(frozen=True, order=True)
class ExpandedCode:
    """A concrete code of an expanded codelist, and the entry (``via``) that put it there."""

    coding_system: str
    code: str
    term: str
    category: str | None
    via: str


def expand(version: CodelistVersion, seen: Iterable[Key] = ()) -> tuple[ExpandedCode, ...]:
    """VERSION's concrete codes, sorted; SEEN are (coding_system, code) pairs found in the data."""
    seen = tuple(seen)
    return _expand_own(version) if not seen else _expand(version, seen)


@functools.lru_cache(maxsize=32)
def _expand_own(version: CodelistVersion) -> tuple[ExpandedCode, ...]:
    """The expansion against the version's own code table (hashed, shown, warned on: kept)."""
    return _expand(version, ())


def _expand(version: CodelistVersion, seen: tuple[Key, ...]) -> tuple[ExpandedCode, ...]:
    known = known_terms(version)
    candidates = _candidates(version, seen)
    closure = hierarchy_closure(version.hierarchy)
    excluded = {key for e in version.excludes for key, _ in _matches(e, candidates, closure)}
    best: dict[Key, tuple[tuple, Entry, int]] = {}
    for entry in version.entries:
        for key, specificity in _matches(entry, candidates, closure):
            rank = (-specificity, entry.category is None, entry.category or "", entry.code)
            if key not in excluded and (key not in best or rank < best[key][0]):
                best[key] = (rank, entry, specificity)
    codes = (_expanded(key, e, s, known) for key, (_, e, s) in best.items())
    return tuple(sorted(codes, key=lambda c: (c.coding_system, c.code)))


def known_terms(version: CodelistVersion) -> dict[Key, str]:
    return {(k.coding_system, k.code): k.term for k in version.code_table if k.term}


def _candidates(version: CodelistVersion, seen: Iterable[Key]) -> dict[str, set[str]]:
    """Codes a prefix rule may match: the code table (with or without terms), the entries, the data."""
    by_system: dict[str, set[str]] = defaultdict(set)
    table = [(k.coding_system, k.code) for k in version.code_table]
    own = [e.key for e in version.entries + version.excludes]
    for system, code in [*table, *own, *seen]:
        if system in POSITIONAL:
            by_system[system].add(code)
    return by_system


def _matches(entry: Entry, candidates: dict[str, set[str]], closure) -> Iterable[tuple[Key, int]]:
    system = entry.coding_system
    yield entry.key, EXACT
    if entry.descendants and entry.positional:
        start = prefix(system, entry.code)
        yield from (
            ((system, c), len(start)) for c in candidates.get(system, ()) if c.startswith(start)
        )
    elif entry.descendants:
        for code, depth in closure.get(entry.key, {}).items():
            yield (system, code), HIERARCHY - depth


def _expanded(key: Key, entry: Entry, specificity: int, known: dict[Key, str]) -> ExpandedCode:
    if specificity == EXACT:
        term = entry.term or known.get(key, "")
    else:
        term = known.get(key) or descendant_term(entry)
    return ExpandedCode(key[0], key[1], term, entry.category, entry.code)


def descendant_term(entry: Entry) -> str:
    """The term shown for a descendant whose own term is unknown (seen only in the data)."""
    return f"descendant of {entry.code} {entry.term}".rstrip()


def hierarchy_closure(links: Iterable[Link]) -> dict[Key, dict[str, int]]:
    """Every (system, ancestor) -> {descendant: shortest depth}, from parent -> child links."""
    children: dict[Key, list[str]] = defaultdict(list)
    for link in links:
        children[(link.coding_system, link.parent)].append(link.child)
    return {key: _below(key, children) for key in children}


def _below(key: Key, children: dict[Key, list[str]]) -> dict[str, int]:
    system, top = key
    depths: dict[str, int] = {}
    queue = deque((child, 1) for child in children[key])
    while queue:
        code, depth = queue.popleft()
        if code in depths or code == top:
            continue
        depths[code] = depth
        queue.extend((c, depth + 1) for c in children.get((system, code), ()))
    return depths


def negation_warnings(version: CodelistVersion) -> list[tuple[int | None, str]]:
    """Descendants pulled in whose terms read like a negation or history (``No …``, ``H/O …``)."""
    lines = {e.code: e.line for e in version.entries}
    return [
        (
            lines.get(c.via),
            f"{version.label}: {c.coding_system} {c.via} with descendants pulls in {c.code} "
            f"{c.term!r}, which reads like a negation or history; exclude it or list codes explicitly",
        )
        for c in expand(version)
        if c.via != c.code and NEGATION.search(c.term)
    ]


def content_hash(version: CodelistVersion) -> str:
    """sha256 of the normalised definition and its expansion against its own code table."""
    document = {
        "name": version.name,
        "version": version.version,
        "coding_systems": sorted(version.coding_systems),
        "categories": sorted(version.categories),
        "include": sorted(_entry_row(e) for e in version.entries),
        "exclude": sorted(_entry_row(e) for e in version.excludes),
        "expansion": [[c.coding_system, c.code, c.term, c.category or ""] for c in expand(version)],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry_row(e: Entry) -> list:
    return [e.coding_system, e.code, e.descendants, e.category or "", e.term]
