"""Properties: expansion does not depend on the order a definition is written in, and the
DuckDB expansion agrees with the Python one on random definitions and data."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import db
from pipeline.codelists.compile import build_codelist_table
from pipeline.codelists.expand import content_hash, expand
from pipeline.codelists.model import Entry

from .builders import sctid, version

# Nested Read v2 prefixes (1.... > 16... > 16C.. > 16C2.), a lower-case twin, and a BNF family.
POOLS = {
    "readv2": [
        "1....",
        "16...",
        "16C..",
        "16C2.",
        "16C9.",
        "16CZ.",
        "16D..",
        "16D1.",
        "16c2.",
        "N245.",
        "N2453",
    ],
    "bnf": ["0407", "040702", "040702040", "040702040AAAAAA", "0407020Q0AAAAAA", "0408010G0"],
    "snomedct": [sctid(i) for i in range(8)],
}
KEYS = [(system, code) for system, codes in POOLS.items() for code in codes]
CATEGORIES = ("alpha", "beta")


@st.composite
def definitions(draw):
    """A random valid version over the pools, with random data codes seen in the extract."""
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=10, unique=True))
    cut = draw(st.integers(min_value=1, max_value=len(keys)))
    with_categories = draw(st.booleans())
    snomed = POOLS["snomedct"]
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, 6), st.integers(1, 7)).filter(lambda e: e[0] < e[1]),
            unique=True,
            max_size=10,
        )
    )
    hierarchy = [("snomedct", snomed[p], snomed[c]) for p, c in edges]

    def entry(key, category):
        descendants = draw(st.booleans()) and (key[0] != "snomedct" or bool(hierarchy))
        return Entry(key[0], key[1], f"term {key[1]}", descendants, category)

    include = tuple(
        entry(k, draw(st.sampled_from(CATEGORIES)) if with_categories else None) for k in keys[:cut]
    )
    exclude = tuple(entry(k, None) for k in keys[cut:])
    table = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=12))
    code_table = [(s, c, draw(st.sampled_from(["", f"known {c}"]))) for s, c in table]
    seen = draw(
        st.lists(st.sampled_from([k for k in KEYS if k[0] != "snomedct"]), unique=True, max_size=8)
    )
    v = version(
        include=include, exclude=exclude, code_table=code_table, hierarchy=hierarchy,
        systems=tuple(POOLS), categories=CATEGORIES if with_categories else (),
    )  # fmt: skip
    return v, seen


def reordered(v, permute):
    return dataclasses.replace(
        v,
        entries=tuple(permute(list(v.entries))),
        excludes=tuple(permute(list(v.excludes))),
        code_table=tuple(permute(list(v.code_table))),
        hierarchy=tuple(permute(list(v.hierarchy))),
    )


@settings(max_examples=60, deadline=None)
@given(definitions(), st.randoms(use_true_random=False))
def test_expansion_and_hash_are_stable_under_reordering(case, rng):
    v, seen = case

    def permute(items):
        rng.shuffle(items)
        return items

    shuffled = reordered(v, permute)
    assert expand(shuffled, list(reversed(seen))) == expand(v, seen)
    assert content_hash(shuffled) == content_hash(v)


@pytest.fixture(scope="module")
def con():
    con = db.connect(threads=1)
    con.execute(
        "CREATE TABLE events (practice_code VARCHAR, patient_id VARCHAR, event_date DATE, coding_system VARCHAR, code VARCHAR, value DOUBLE)"
    )
    con.execute(
        "CREATE TABLE medications (practice_code VARCHAR, patient_id VARCHAR, issue_date DATE, coding_system VARCHAR, code VARCHAR, issue_type VARCHAR, quantity DOUBLE)"
    )
    return con


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(definitions(), min_size=1, max_size=12))
def test_duckdb_expansion_agrees_with_python(con, cases):
    """Many random codelists compiled together (as a run does) against one extract's codes."""
    versions = [dataclasses.replace(v, name=f"case_{i}") for i, (v, _) in enumerate(cases)]
    seen = sorted({key for _, keys in cases for key in keys})
    con.execute("DELETE FROM events")
    con.execute("DELETE FROM medications")
    for system, code in seen:
        table = "medications" if system == "bnf" else "events"
        con.execute(
            f"INSERT INTO {table} (practice_code, patient_id, coding_system, code) VALUES ('A', '1', ?, ?)",
            [system, code],
        )
    build_codelist_table(con, versions)
    rows = con.execute(
        "SELECT codelist, coding_system, code, term, category FROM codelist_codes"
    ).fetchall()
    expected = sorted(
        (v.name, c.coding_system, c.code, c.term, c.category)
        for v in versions
        for c in expand(v, seen)
    )
    assert rows == expected
