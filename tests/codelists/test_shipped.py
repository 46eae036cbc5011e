"""The codelists the project ships: they pass `check`, hold the study spec's minimum codes
(shown by expanding them against a small table of codes as if seen in an extract), and
`cohort codelists show` prints them."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.codelists.codes import code_problem
from pipeline.codelists.expand import expand
from pipeline.codelists.repository import check_problems, load_repository

NAMES = [
    "chronic_pain_conditions", "chronic_pain_diagnosis", "pain_medications", "employment_status",
    "dementia", "palliative_care", "research_opt_out", "research_opt_out_withdrawn",
]  # fmt: skip

# Codes as an extract might record them: descendants of the spec's positional codes.
SEEN = [
    ("readv2", "16C2."), ("readv2", "16CZ."), ("readv2", "16C9."), ("readv2", "16C90"),
    ("readv2", "N2423"), ("readv2", "N2453"), ("readv2", "N2454"), ("readv2", "1M520"),
    ("readv2", "F1100"), ("readv2", "Eu001"), ("readv2", "9Nu0."), ("readv2", "9Nu1."),
    ("bnf", "040702040AAAAAA"), ("bnf", "0407020Q0AAAFAF"), ("bnf", "0408010G0AAABAB"),
    ("bnf", "0408010AEAAAAAA"),
]  # fmt: skip

# The study spec's "Minimum codelist content", plus descendants the positional codes must bring in.
MINIMUM = {
    "chronic_pain_conditions": {
        "snomedct": "279039007 161891005 203082005 247398009 239873007",
        "readv2": "16C.. 16C2. 16CZ. N2423 N2453 N2454",
    },
    "chronic_pain_diagnosis": {
        "snomedct": "82423001 134407002",
        "readv2": "1M52. 1M520 16C9. 16C90",
    },
    "pain_medications": {
        "dmd": "42017811000001106 415167006 42009811000001101 321745007",
        "bnf": "040702 040702040AAAAAA 0407020Q0AAAFAF 0408010G0 0408010G0AAABAB 0408010AE 0408010AEAAAAAA",
    },
    "employment_status": {
        "snomedct": "224363007 160903007 160904001 160906004 224459001 73438004 160895006 105493001",
    },
    "dementia": {"snomedct": "52448006 26929004", "readv2": "F110. F1100 Eu00. Eu001"},
    "palliative_care": {"snomedct": "103735009"},
    "research_opt_out": {"readv2": "9Nu0.", "ctv3": "XaZ89", "snomedct": "827241000000103"},
    "research_opt_out_withdrawn": {
        "readv2": "9Nu1.",
        "ctv3": "XaZ8A",
        "snomedct": "827261000000102",
    },
}
CATEGORIES = {
    "224363007": "employed", "160903007": "employed", "160904001": "employed", "160906004": "employed",
    "224459001": "employed", "73438004": "unemployed", "160895006": "unemployed", "105493001": "retired",
}  # fmt: skip


@pytest.fixture(scope="module")
def repo():
    return load_repository()


@pytest.fixture(scope="module")
def expanded(repo):
    return {name: expand(repo.get(name, "1"), SEEN) for name in NAMES}


def test_the_shipped_codelists_pass_check(repo):
    assert repo.names() == sorted(NAMES)
    assert all(repo.get(name, "1").published for name in NAMES)
    assert check_problems(repo) == []


@pytest.mark.parametrize("name", NAMES)
def test_each_holds_the_spec_minimum(expanded, name):
    codes = {(c.coding_system, c.code) for c in expanded[name]}
    missing = [
        (s, c) for s, listed in MINIMUM[name].items() for c in listed.split() if (s, c) not in codes
    ]
    assert missing == []


def test_employment_codes_carry_their_categories(repo, expanded):
    assert repo.get("employment_status", "1").categories == (
        "employed",
        "unemployed",
        "retired",
        "student",
    )
    got = {c.code: c.category for c in expanded["employment_status"]}
    assert {code: got[code] for code in CATEGORIES} == CATEGORIES
    assert "student" in got.values()


def test_codes_that_say_chronic_are_diagnoses_not_conditions(expanded):
    conditions = expanded["chronic_pain_conditions"]
    assert [c.code for c in conditions if re.search("chronic", c.term, re.I)] == []
    assert "16C9." not in {c.code for c in conditions}
    assert "16C9." in {c.code for c in expanded["chronic_pain_diagnosis"]}


@pytest.mark.parametrize("name", NAMES)
def test_every_code_is_valid_for_its_system(repo, name):
    v = repo.get(name, "1")
    codes = [e.key for e in v.entries + v.excludes] + [
        (k.coding_system, k.code) for k in v.code_table
    ]
    codes += [(link.coding_system, c) for link in v.hierarchy for c in (link.parent, link.child)]
    assert [(s, c) for s, c in codes if code_problem(s, c)] == []


def test_every_version_cites_its_sources(repo):
    for name in NAMES:
        g = repo.get(name, "1").governance
        assert g.author and g.date_published and g.sources, name


@pytest.mark.parametrize("name", NAMES)
def test_show_prints_the_codes_with_terms_and_categories(name):
    result = CliRunner().invoke(main, ["codelists", "show", name])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}@1  ")
    for system, listed in MINIMUM[name].items():
        for code in listed.split():
            if (system, code) not in SEEN:  # seen-only descendants appear at run time, not in show
                assert re.search(rf"^  {system}\s+{re.escape(code)}\s", result.output, re.M), code
    if name == "employment_status":
        assert re.search(r"^  snomedct 105493001\s+\[retired\]\s+Retired$", result.output, re.M)
