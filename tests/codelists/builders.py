"""Small builders for codelist tests: drawn hierarchies, versions in memory and on disk."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from pipeline.codelists.codes import verhoeff_digit
from pipeline.codelists.model import CodelistVersion, Entry, Governance, KnownCode, Link, Source

GOVERNANCE = Governance(author="test", sources=(Source("test"),))
TREE_LINE = re.compile(r"^(?P<indent>[│├└─ ]*)(?P<code>\S+)\s+(?P<term>.*?)\s*$")


def sctid(n: int) -> str:
    """A valid SNOMED CT / dm+d style id: 6+ digits ending in its Verhoeff check digit."""
    body = str(10000 + n)
    return body + verhoeff_digit(body)


def draw(drawing: str) -> list[tuple[int, str, str]]:
    """(depth, code, term) for each line of an ASCII tree drawn with ├── └── │."""
    rows = []
    for line in textwrap.dedent(drawing).strip("\n").splitlines():
        match = TREE_LINE.match(line)
        rows.append((len(match["indent"]) // 4, match["code"], match["term"]))
    return rows


def links(drawing: str) -> list[tuple[str, str]]:
    """(parent, child) pairs of a drawn tree."""
    parents: list[str] = []
    pairs = []
    for depth, code, _ in draw(drawing):
        del parents[depth:]
        if parents:
            pairs.append((parents[-1], code))
        parents.append(code)
    return pairs


def terms(drawing: str) -> dict[str, str]:
    return {code: term for _, code, term in draw(drawing)}


def entries(
    system: str, spec: str, names: dict[str, str] | None = None, *, category=None
) -> tuple[Entry, ...]:
    """Entries from 'a+ b' (``+``: with descendants); NAMES maps drawn names to codes."""
    names = names or {}
    made = []
    for word in spec.split():
        name = word.rstrip("+")
        made.append(
            Entry(system, names.get(name, name), f"term of {name}", word.endswith("+"), category)
        )
    return tuple(made)


def version(
    *, include: tuple[Entry, ...], exclude: tuple[Entry, ...] = (), code_table=(), hierarchy=(),
    name: str = "test_list", number: str = "1", systems=None, categories=(), status="draft",
) -> CodelistVersion:  # fmt: skip
    used = {e.coding_system for e in include + exclude}
    return CodelistVersion(
        name=name, version=number, status=status, title="Test list",
        coding_systems=tuple(sorted(systems or used)), entries=include, excludes=exclude,
        categories=tuple(categories), governance=GOVERNANCE,
        code_table=tuple(KnownCode(*row) for row in code_table),
        hierarchy=tuple(Link(*row) for row in hierarchy),
    )  # fmt: skip


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def version_yaml(
    name: str = "test_list", number: str = "1", *, status: str = "draft", body: str = ""
) -> str:
    """A minimal valid version file; BODY adds include/exclude/code_table lines (at column 0)."""
    head = f"""\
        name: {name}
        version: "{number}"
        status: {status}
        title: Test list
        coding_systems: [readv2, ctv3, snomedct, dmd, bnf]
        governance:
          author: test
          date_published: {"2026-01-02" if status == "published" else "null"}
          sources:
            - {{title: test}}
        """
    return textwrap.dedent(head) + textwrap.dedent(body).lstrip("\n")
