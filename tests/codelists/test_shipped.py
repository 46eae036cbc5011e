"""The codelists the project ships: they pass `check`, hold the study spec's minimum codes
(shown by expanding them against a small table of codes as if seen in an extract), record
a term and sources for every code, and `cohort codelists show` prints them."""

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
# InStep v2 (issue 14) and the type 2 diabetes study (issue 12).
WORK = ["fit_notes_not_fit", "out_of_work_benefits"]
T2D = ["type2_diabetes", "hba1c", "egfr", "metformin", "insulin"]
SHIPPED = [(n, "1") for n in NAMES + WORK + T2D] + [("employment_status", "2")]

# Codes as an extract might record them: descendants of the spec's positional codes.
SEEN = [
    ("readv2", "16C2."), ("readv2", "16CZ."), ("readv2", "16C9."), ("readv2", "16C90"),
    ("readv2", "N2423"), ("readv2", "N2453"), ("readv2", "N2454"), ("readv2", "1M520"),
    ("readv2", "F1100"), ("readv2", "Eu001"), ("readv2", "9Nu0."), ("readv2", "9Nu1."),
    ("bnf", "040702040AAAAAA"), ("bnf", "0407020Q0AAAFAF"), ("bnf", "0408010G0AAABAB"),
    ("bnf", "0408010AEAAAAAA"),
    ("readv2", "13R1."), ("readv2", "13O1."), ("readv2", "C10F7"), ("readv2", "C109J"),
    ("readv2", "42W51"), ("readv2", "42W4."), ("bnf", "0601022B0AAABAB"), ("bnf", "0601023ADAAAAAA"),
    ("bnf", "0601012V0AAAAAA"), ("bnf", "0601011A0AAAAAA"),
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
    # InStep v2: fit notes, benefits (spec "Version 2 additions", issue 14)
    "fit_notes_not_fit": {
        "snomedct": "751481000000104 751621000000103 751731000000106",
        "ctv3": "XaX1E XaX1L XaX1R",
    },
    "out_of_work_benefits": {
        "snomedct": "160978002",
        "readv2": "13R.. 13R1. 13O..",
        "ctv3": "Y2854",
    },
    # The type 2 diabetes study (issue 12 item 5)
    "type2_diabetes": {
        "snomedct": "44054006 313436004",
        "readv2": "C10F. C10F7 C109. C109J C1001",
        "ctv3": "X40J5 XaELQ",
    },
    "hba1c": {"snomedct": "999791000000106", "readv2": "42W5. 42W51", "ctv3": "XaPbt 42W5."},
    "egfr": {
        "snomedct": "1011481000000105 1020291000000106",
        "readv2": "451E. 451K.",
        "ctv3": "XaK8y XaZpN",
    },
    "metformin": {
        "bnf": "0601022B0 0601022B0AAABAB 0601023AD 0601023ADAAAAAA",
        "dmd": "325278007 325279004 42084911000001109",
    },
    "insulin": {"bnf": "060101 0601012V0AAAAAA 0601011A0AAAAAA", "dmd": "11933011000001106"},
}
MINIMUM_V2 = {
    "employment_status": {
        "snomedct": "751601000000107 751641000000105 751751000000104 775281000000100 "
        "775301000000104 775321000000108 775351000000103 14241000000101",
        "ctv3": "XaX1K XaX1M XaX1S XaXf3 XaXf4 XaXf5 XaXf7 XaEF4 Y2854",
    },
}
# Codes a list must NOT hold, each for a stated reason.
NOT_IN = {
    ("out_of_work_benefits", "1"): {
        ("readv2", "13O1.")
    },  # 13O.. children unchecked: may be allowances paid in work
    ("type2_diabetes", "1"): {
        ("readv2", "C10D."),
        ("ctv3", "X40JJ"),
        ("snomedct", "237604008"),
    },  # MODY
    ("hba1c", "1"): {
        ("readv2", "42W4."),
        ("snomedct", "1019431000000105"),
    },  # DCCT-aligned: value in %
    ("egfr", "1"): {("readv2", "451F."), ("snomedct", "80274001")},  # GFR not stated as an estimate
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
    return {name: expand(repo.get(name, "1"), SEEN) for name in NAMES + WORK + T2D}


@pytest.fixture(scope="module")
def employment_v2(repo):
    return expand(repo.get("employment_status", "2"), SEEN)


def _keys(codes):
    return {(c.coding_system, c.code) for c in codes}


def test_the_shipped_codelists_pass_check(repo):
    assert repo.names() == sorted(NAMES + WORK + T2D)
    assert all(repo.get(name, version).published for name, version in SHIPPED)
    assert check_problems(repo) == []


@pytest.mark.parametrize("name", NAMES + WORK + T2D)
def test_each_holds_the_spec_minimum(expanded, name):
    codes = _keys(expanded[name])
    missing = [
        (s, c) for s, listed in MINIMUM[name].items() for c in listed.split() if (s, c) not in codes
    ]
    assert missing == []


@pytest.mark.parametrize(("name", "version"), sorted(NOT_IN))
def test_each_leaves_out_what_it_says_it_leaves_out(repo, name, version):
    assert _keys(expand(repo.get(name, version), SEEN)) & NOT_IN[(name, version)] == set()


def test_employment_v2_keeps_every_v1_code_and_category(expanded, employment_v2):
    v1 = {(c.coding_system, c.code): c.category for c in expanded["employment_status"]}
    v2 = {(c.coding_system, c.code): c.category for c in employment_v2}
    assert {key: v2.get(key) for key in v1} == v1


def test_employment_v2_counts_fit_notes_that_show_a_job_as_employed(repo, employment_v2):
    assert repo.get("employment_status", "2").categories == (
        "employed", "unemployed", "retired", "student", "long_term_sick",
    )  # fmt: skip
    got = {(c.coding_system, c.code): c.category for c in employment_v2}
    listed = [(s, c) for s, codes in MINIMUM_V2["employment_status"].items() for c in codes.split()]
    assert {key: got.get(key) for key in listed} == {
        key: "long_term_sick" if key == ("ctv3", "Y2854") else "employed" for key in listed
    }


def test_a_not_fit_note_is_never_read_as_employment(expanded, employment_v2):
    assert _keys(expanded["fit_notes_not_fit"]) & _keys(employment_v2) == set()
    assert all("not fit" in c.term for c in expanded["fit_notes_not_fit"])
    may_be_fit = [c for c in employment_v2 if "fit for work" in c.term]
    assert may_be_fit and all("may be fit" in c.term for c in may_be_fit)


def test_metformin_and_insulin_do_not_overlap(expanded):
    assert _keys(expanded["metformin"]) & _keys(expanded["insulin"]) == set()
    assert all("nsulin" not in c.term for c in expanded["metformin"])


@pytest.mark.parametrize(("name", "version"), SHIPPED)
def test_every_listed_code_records_its_term(repo, name, version):
    v = repo.get(name, version)
    blank = [e.key for e in v.entries + v.excludes if not (e.term or "").strip()]
    blank += [(k.coding_system, k.code) for k in v.code_table if not (k.term or "").strip()]
    assert blank == []


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


@pytest.mark.parametrize(("name", "version"), SHIPPED)
def test_every_code_is_valid_for_its_system(repo, name, version):
    v = repo.get(name, version)
    codes = [e.key for e in v.entries + v.excludes] + [
        (k.coding_system, k.code) for k in v.code_table
    ]
    codes += [(link.coding_system, c) for link in v.hierarchy for c in (link.parent, link.child)]
    assert [(s, c) for s, c in codes if code_problem(s, c)] == []


def test_every_version_cites_its_sources(repo):
    for name, version in SHIPPED:
        g = repo.get(name, version).governance
        assert g.author and g.date_published and g.sources, name
    for name, version in [(n, "1") for n in WORK + T2D] + [("employment_status", "2")]:
        urls = [source.url for source in repo.get(name, version).governance.sources if source.url]
        assert urls, f"{name}@{version} cites no source with a link"


@pytest.mark.parametrize("name", NAMES + WORK + T2D)
def test_show_prints_the_codes_with_terms_and_categories(name):
    result = CliRunner().invoke(main, ["codelists", "show", f"{name}@1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}@1  ")
    for system, listed in MINIMUM[name].items():
        for code in listed.split():
            if (system, code) not in SEEN:  # seen-only descendants appear at run time, not in show
                assert re.search(rf"^  {system}\s+{re.escape(code)}\s", result.output, re.M), code
    if name == "employment_status":
        assert re.search(r"^  snomedct 105493001\s+\[retired\]\s+Retired$", result.output, re.M)


def test_show_defaults_to_the_newest_published_version():
    result = CliRunner().invoke(main, ["codelists", "show", "employment_status"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("employment_status@2  ")
    assert re.search(
        r"^  ctv3\s+XaX1K\s+\[employed\]\s+eMED3 \(2010\) new statement issued, may be fit for work$",
        result.output,
        re.M,
    )
