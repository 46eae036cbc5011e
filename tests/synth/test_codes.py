"""The generator's code pool agrees with the study's shipped codelists: every code it
writes for a study role is in that codelist (with its category), and no unrelated
code is in any of them. So what truth.csv says a record shows, a run can find."""

from __future__ import annotations

import pytest
import yaml

from pipeline.paths import DEFAULT_STUDY
from pipeline.synth import codes

codelists = pytest.importorskip("pipeline.codelists")


@pytest.fixture(scope="module")
def shipped():
    """Each study codelist's expansion over every code the generator can write."""
    pinned = yaml.safe_load(DEFAULT_STUDY.read_text(encoding="utf-8"))["codelists"]
    repo = codelists.load_repository()
    seen = [(c.coding_system, c.code) for c in codes.EVENT_CODES]
    seen += [(s, c) for d in codes.DRUGS for s, c in (("dmd", d.dmd), ("bnf", d.bnf)) if c]
    expand = codelists.expand.expand
    return {
        ref["name"]: {
            (e.coding_system, e.code): e.category
            for e in expand(repo.get(ref["name"], ref["version"]), seen)
        }
        for ref in pinned.values()
    }


def test_every_study_code_is_in_its_shipped_codelist(shipped):
    missing = [
        (name, system, code)
        for name, system, code in codes.study_codes()
        if (system, code) not in shipped[name]
    ]
    assert missing == []


def test_employment_codes_carry_the_shipped_category(shipped):
    for c in codes.EMPLOYMENT:
        assert shipped["employment_status"][(c.coding_system, c.code)] == c.category, c.code


def test_no_unrelated_code_is_in_a_study_codelist(shipped):
    unrelated = {(c.coding_system, c.code) for c in codes.EVENT_CODES if not c.codelist}
    unrelated |= {
        (s, c)
        for d in codes.DRUGS
        if not d.codelist
        for s, c in (("dmd", d.dmd), ("bnf", d.bnf))
        if c
    }
    clashes = sorted(
        (name, key) for name, found in shipped.items() for key in unrelated if key in found
    )
    assert clashes == []
