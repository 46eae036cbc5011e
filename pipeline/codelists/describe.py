"""What `cohort codelists list / show / diff` print: plain text and JSON, no I/O."""

from __future__ import annotations

from pipeline.codelists.expand import ExpandedCode, content_hash, expand
from pipeline.codelists.model import CodelistVersion, Entry
from pipeline.codelists.repository import Repository


def list_lines(repo: Repository) -> list[str]:
    """One line per codelist: its versions (``*`` marks drafts) and latest title."""
    if not repo.names():
        return [f"no codelists in {repo.root}"]
    rows = []
    for name in repo.names():
        versions = [repo.get(name, v) for v in repo.versions(name)]
        labels = " ".join(v.version + ("" if v.published else "*") for v in versions)
        rows.append((name, labels, versions[-1].title))
    width = max(len(r[0]) for r in rows)
    return [f"{n:<{width}}  {vs:<8}  {t}" for n, vs, t in rows] + ["(* = draft)"]


def show_lines(v: CodelistVersion) -> list[str]:
    g = v.governance
    published = f"published {g.date_published}" if v.published else "draft"
    lines = [f"{v.label}  {v.title}  ({published})"]
    lines += [f"  {v.description}"] if v.description else []
    lines += [
        f"coding systems: {', '.join(v.coding_systems)}",
        f"author: {g.author or '-'}   reviewer: {g.reviewer or 'not reviewed'}",
        *(
            f"terminology release: {system}: {release}"
            for system, release in g.terminology_releases
        ),
        "sources:",
        *(f"  - {s.title}" + (f" <{s.url}>" if s.url else "") for s in g.sources),
        "definition:",
        *(f"  include {_rule(e)}" for e in v.entries),
        *(f"  exclude {_rule(e)}" for e in v.excludes),
        "codes (against its own code table; codes seen in the data under a prefix join at run time):",
        *code_lines(expand(v)),
    ]
    return lines


def _rule(e: Entry) -> str:
    descendants = "and descendants" if e.descendants else ""
    category = f"[{e.category}]" if e.category else ""
    return f"{e.coding_system:<8} {e.code:<18} {descendants:<15} {category:<12} {e.term}".rstrip()


def code_lines(codes: tuple[ExpandedCode, ...]) -> list[str]:
    return [f"  {_code(c)}" for c in codes] or ["  (none)"]


def show_json(v: CodelistVersion) -> dict:
    g = v.governance
    return {
        "name": v.name,
        "version": v.version,
        "status": v.status,
        "title": v.title,
        "description": v.description,
        "coding_systems": list(v.coding_systems),
        "categories": list(v.categories),
        "governance": {
            "author": g.author,
            "reviewer": g.reviewer,
            "date_published": g.date_published.isoformat() if g.date_published else None,
            "sources": [{"title": s.title, "url": s.url, "note": s.note} for s in g.sources],
            "terminology_releases": dict(g.terminology_releases),
        },
        "include": [_entry_json(e) for e in v.entries],
        "exclude": [_entry_json(e) for e in v.excludes],
        "codes": [_code_json(c) for c in expand(v)],
        "content_hash": content_hash(v),
    }


def _entry_json(e: Entry) -> dict:
    return {
        "coding_system": e.coding_system,
        "code": e.code,
        "term": e.term,
        "descendants": e.descendants,
        "category": e.category,
    }


def _code_json(c: ExpandedCode) -> dict:
    return {
        "coding_system": c.coding_system,
        "code": c.code,
        "term": c.term,
        "category": c.category,
        "via": c.via,
    }


def diff_lines(old: CodelistVersion, new: CodelistVersion) -> list[str]:
    """Definition and expansion differences from OLD to NEW (``+`` added, ``-`` removed, ``~`` changed)."""
    definition = _changes("include", _by_key(old.entries), _by_key(new.entries), _rule)
    definition += _changes("exclude", _by_key(old.excludes), _by_key(new.excludes), _rule)
    codes = _changes("code", _by_key(expand(old)), _by_key(expand(new)), _code)
    return [
        f"{old.name}: version {old.version} -> {new.version}",
        "definition:",
        *(definition or ["  no differences"]),
        "codes (each against its own code table):",
        *(codes or ["  no differences"]),
    ]


def _by_key(items) -> dict:
    return {(i.coding_system, i.code): i for i in items}


def _code(c: ExpandedCode) -> str:
    return f"{c.coding_system:<8} {c.code:<18} {f'[{c.category}]' if c.category else '':<12} {c.term}".rstrip()


def _changes(kind: str, old: dict, new: dict, show) -> list[str]:
    lines = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is None:
            lines.append(f"  + {kind} {show(after)}")
        elif after is None:
            lines.append(f"  - {kind} {show(before)}")
        elif show(before) != show(after):
            lines += [f"  ~ {kind} {show(before)}", f"    now {' ' * len(kind)}{show(after)}"]
    return lines
