"""Include / exclude / descendants for every coding system, over tiny drawn hierarchies.

Each case expands the same definition twice, in Python (pipeline.codelists.expand)
and in DuckDB (sql/codelists/codes.sql), and both must give the expected codes. The
DuckDB side compiles every case at once (one codelist per case), as a run compiles
all of a study's codelists together.
"""

from __future__ import annotations

import pytest

from pipeline import db
from pipeline.codelists.compile import build_codelist_table
from pipeline.codelists.expand import NEGATION, expand, negation_warnings

from .builders import draw, entries, links, sctid, terms, version

# SNOMED CT, CTV3 and dm+d: no positional hierarchy; descendants come from the hierarchy file.
TREE = """
    a  Pain
    ├── b  Back pain
    │   ├── d  Low back pain
    │   └── e  Sciatica
    └── c  Neck pain
        └── f  Cervicalgia
    g  Headache
"""
NAMES = {
    "snomedct": {name: sctid(i) for i, (_, name, _) in enumerate(draw(TREE))},
    "dmd": {name: sctid(100 + i) for i, (_, name, _) in enumerate(draw(TREE))},
    "ctv3": {name: f"XaA0{name}" for _, name, _ in draw(TREE)},
}
HIERARCHICAL = [
    # include, exclude, expected
    ("a", "", "a"),
    ("a+", "", "a b c d e f"),
    ("b+", "", "b d e"),
    ("d+", "", "d"),
    ("b c", "", "b c"),
    ("a+", "b+", "a c f"),
    ("a+", "b", "a c d e f"),
    ("a+ d", "b+", "a c f"),  # an exclusion wins over an explicit include
    ("b+ g", "e", "b d g"),
]

# Read v2: positional. The drawing is the code table; the hierarchy is the prefix.
READ_TREE = """
    16C..  Backache symptom
    ├── 16C2.  Backache
    ├── 16C9.  Chronic low back pain
    ├── 16CX.  Backache with radiation
    └── 16CZ.  Backache symptom NOS
    16c2.  Lower-case twin of 16C2.
    N245.  Pain in limb
    ├── N2453  Pain in arm
    └── N2454  Calf pain
"""
READ = [
    ("16C..+", "", "16C.. 16C2. 16C9. 16CX. 16CZ."),
    ("16C..", "", "16C.."),
    ("16C..+", "16C9.", "16C.. 16C2. 16CX. 16CZ."),
    ("16C..+ N245.+", "16CX. N2454", "16C.. 16C2. 16C9. 16CZ. N245. N2453"),
    ("N2453+", "", "N2453"),
    ("N245.+", "N2453+", "N245. N2454"),
    ("16C9.", "16C..+", ""),
]

BNF_TREE = """
    040702  Opioid analgesics
    ├── 040702040  Tramadol hydrochloride
    │   └── 040702040AAAAAA  Tramadol 50mg capsules
    └── 0407020Q0  Oxycodone hydrochloride
        └── 0407020Q0AAAAAA  Oxycodone 5mg capsules
    0408010G0  Gabapentin
    └── 0408010G0AAAAAA  Gabapentin 300mg capsules
"""
BNF = [
    ("040702+", "", "040702 040702040 040702040AAAAAA 0407020Q0 0407020Q0AAAAAA"),
    ("040702+", "0407020Q0+", "040702 040702040 040702040AAAAAA"),
    ("0408010G0+", "", "0408010G0 0408010G0AAAAAA"),
    ("040702040AAAAAA 0408010G0", "", "040702040AAAAAA 0408010G0"),
]


def hierarchical(number: int, system: str, include: str, exclude: str):
    names = NAMES[system]
    return version(
        name=f"case_{number}",
        include=entries(system, include, names),
        exclude=entries(system, exclude, names),
        hierarchy=[(system, names[p], names[c]) for p, c in links(TREE)],
        code_table=[(system, names[n], t) for n, t in terms(TREE).items()],
    )


def positional(number: int, system: str, tree: str, include: str, exclude: str):
    return version(
        name=f"case_{number}",
        include=entries(system, include),
        exclude=entries(system, exclude),
        code_table=[(system, code, term) for code, term in terms(tree).items()],
    )


def all_cases() -> list:
    """(id, version, expected codes) for every table row of every coding system."""
    cases = []
    for system in ("snomedct", "ctv3", "dmd"):
        for include, exclude, expected in HIERARCHICAL:
            v = hierarchical(len(cases), system, include, exclude)
            cases.append(
                (f"{system}:{include}-{exclude}", v, {NAMES[system][n] for n in expected.split()})
            )
    for system, tree, rows in (("readv2", READ_TREE, READ), ("bnf", BNF_TREE, BNF)):
        for include, exclude, expected in rows:
            v = positional(len(cases), system, tree, include, exclude)
            cases.append((f"{system}:{include}-{exclude}", v, set(expected.split())))
    return cases


CASES = all_cases()


@pytest.fixture(scope="module")
def compiled() -> dict[str, set[str]]:
    """codelist name -> codes, from one DuckDB compilation of every case."""
    con = db.connect()
    build_codelist_table(con, [v for _, v, _ in CASES])
    found: dict[str, set[str]] = {v.name: set() for _, v, _ in CASES}
    for name, code in con.execute("SELECT codelist, code FROM codelist_codes").fetchall():
        found[name].add(code)
    return found


@pytest.mark.parametrize(("v", "expected"), [pytest.param(v, e, id=i) for i, v, e in CASES])
def test_expansion_in_python(v, expected):
    assert {c.code for c in expand(v)} == expected


@pytest.mark.parametrize(("v", "expected"), [pytest.param(v, e, id=i) for i, v, e in CASES])
def test_expansion_in_duckdb(v, expected, compiled):
    assert compiled[v.name] == expected


def test_positional_descendants_come_from_the_data_too():
    """A Read v2 code seen only in the data still falls under its prefix (and case matters)."""
    v = version(include=entries("readv2", "16C..+"), exclude=entries("readv2", "16C9."))
    seen = [("readv2", "16C2."), ("readv2", "16C9."), ("readv2", "16c2."), ("readv2", "16D2.")]
    assert {c.code for c in expand(v, seen)} == {"16C..", "16C2."}


def test_descendant_terms_come_from_the_code_table_or_name_their_rule():
    v = version(
        include=(*entries("readv2", "16C..+"),),
        code_table=[("readv2", "16CZ.", "Backache symptom NOS")],
    )
    got = {c.code: (c.term, c.via) for c in expand(v, [("readv2", "16C2.")])}
    assert got == {
        "16C..": ("term of 16C..", "16C.."),
        "16C2.": ("descendant of 16C.. term of 16C..", "16C.."),
        "16CZ.": ("Backache symptom NOS", "16C.."),
    }


def test_the_most_specific_entry_gives_the_category():
    include = (
        *entries("readv2", "16C..+", category="employed"),
        *entries("readv2", "16C9.+", category="retired"),
        *entries("readv2", "16C2.", category="student"),
    )
    v = version(
        include=include,
        categories=("employed", "retired", "student"),
        code_table=[("readv2", c, "x") for c in ("16C2.", "16C90", "16CZ.")],
    )
    assert {c.code: c.category for c in expand(v)} == {
        "16C..": "employed",
        "16C2.": "student",
        "16C9.": "retired",
        "16C90": "retired",
        "16CZ.": "employed",
    }


NEGATION_TERMS = [
    ("No back pain", True),
    ("No h/o back pain", True),
    ("Not in pain", True),
    ("Never had back pain", True),
    ("Back pain resolved", True),
    ("H/O: back pain", True),
    ("[D]H/O back pain", True),
    ("History of back pain", True),
    ("FH: back pain", True),
    ("Family history of back pain", True),
    ("Backache", False),
    ("Nocturnal back pain", False),
    ("Knotted muscle", False),
    ("Chronic low back pain", False),
]


@pytest.mark.parametrize(("term", "negation"), NEGATION_TERMS)
def test_negation_pattern(term, negation):
    assert bool(NEGATION.search(term)) is negation


def test_read_v2_descendants_that_read_like_negations_warn():
    table = [
        ("readv2", "16C2.", "Backache"),
        ("readv2", "16CN.", "No backache"),
        ("readv2", "16CH.", "H/O: backache"),
    ]
    include = entries("readv2", "16C..+")
    warned = negation_warnings(version(include=include, code_table=table))
    assert [text.split(" pulls in ")[1].split(" ")[0] for _, text in warned] == ["16CH.", "16CN."]
    assert all("readv2 16C.. with descendants" in text for _, text in warned)
    excluded = version(include=include, exclude=entries("readv2", "16CN. 16CH."), code_table=table)
    assert negation_warnings(excluded) == []


def test_listing_a_negation_explicitly_does_not_warn():
    v = version(include=entries("readv2", "16CN."), code_table=[("readv2", "16CN.", "No backache")])
    assert negation_warnings(v) == []


def test_hierarchy_descendants_that_read_like_negations_warn():
    names = NAMES["snomedct"]
    v = version(
        include=entries("snomedct", "b+", names),
        hierarchy=[("snomedct", names["b"], names["d"])],
        code_table=[("snomedct", names["d"], "No low back pain")],
    )
    assert len(negation_warnings(v)) == 1
