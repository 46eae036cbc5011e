"""The shape of each coding system's codes, and the Verhoeff check digit of SNOMED CT ids."""

from __future__ import annotations

import pytest

from pipeline.codelists.codes import (
    code_problem,
    code_warning,
    normalise_code,
    prefix,
    verhoeff_digit,
    verhoeff_valid,
)

# system, code, valid?
SHAPES = [
    ("readv2", "16C..", True),
    ("readv2", "N245.", True),
    ("readv2", "N2453", True),
    ("readv2", "Eu00.", True),
    ("readv2", "9Nu0.", True),
    ("readv2", "16C.", False),  # 4 characters
    ("readv2", "N245.00", False),  # 7-character form must be cut to 5 first
    ("readv2", "1.C..", False),  # dots only as trailing padding
    ("readv2", ".....", False),
    ("readv2", "16C-.", False),
    ("readv2", "", False),
    ("ctv3", "XaZ89", True),
    ("ctv3", "Xa0sK", True),
    ("ctv3", "N05..", True),
    ("ctv3", "XaZ8", False),
    ("ctv3", "XaZ89A", False),
    ("ctv3", "Xa Z8", False),
    ("snomedct", "279039007", True),
    ("snomedct", "827241000000103", True),
    ("snomedct", "279039008", False),  # check digit wrong
    ("snomedct", "297039007", False),  # two digits swapped
    ("snomedct", "12345", False),  # too short
    ("snomedct", "1234567890123456789", False),  # too long
    ("snomedct", "27903900X", False),
    ("dmd", "42017811000001106", True),
    ("dmd", "415167006", True),
    ("dmd", "42017811000001107", False),
    ("bnf", "04", True),
    ("bnf", "0407", True),
    ("bnf", "040702", True),
    ("bnf", "0407020", True),
    ("bnf", "0408010G0", True),
    ("bnf", "0408010AE", True),
    ("bnf", "0408010G0AAABAB", True),
    ("bnf", "040", False),  # 3 characters: not a level of the BNF
    ("bnf", "0408010G0AAABA", False),  # 14 characters
    ("bnf", "0408010g0", False),  # lower case
    ("bnf", "AB0702", False),  # chapter must be digits
    ("bnf", "0408010G0AAABAB1", False),  # 16 characters
    ("icd10", "M54.5", False),  # unknown coding system
]


@pytest.mark.parametrize(("system", "code", "valid"), SHAPES)
def test_code_shapes(system, code, valid):
    problem = code_problem(system, code)
    assert (problem is None) is valid, problem
    if problem:
        assert repr(code) in problem or system == "icd10" or not code


SPEC_SNOMED_AND_DMD = [
    "279039007", "161891005", "203082005", "247398009", "239873007", "82423001", "134407002",
    "42017811000001106", "415167006", "42009811000001101", "321745007", "224363007", "160903007",
    "160904001", "160906004", "224459001", "73438004", "160895006", "105493001", "52448006",
    "26929004", "103735009", "827241000000103",
]  # fmt: skip


@pytest.mark.parametrize("code", SPEC_SNOMED_AND_DMD)
def test_every_spec_id_passes_verhoeff(code):
    assert verhoeff_valid(code)


@pytest.mark.parametrize("code", SPEC_SNOMED_AND_DMD)
def test_any_single_digit_change_fails_verhoeff(code):
    for position in range(len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                assert not verhoeff_valid(code[:position] + digit + code[position + 1 :])


@pytest.mark.parametrize("body", ["27903900", "82724100000010", "4201781100000110", "1"])
def test_verhoeff_digit_completes_an_id(body):
    assert verhoeff_valid(body + verhoeff_digit(body))


@pytest.mark.parametrize(
    ("system", "code", "warns"),
    [
        ("snomedct", "279039007", False),
        ("snomedct", "827241000000103", False),
        ("dmd", "42017811000001106", False),
        ("snomedct", "2674831011", True),  # a description id (partition 01), not a concept
        ("snomedct", "0279039006", True),  # leading zero (valid check digit)
        ("readv2", "16C..", False),
    ],
)
def test_code_warnings(system, code, warns):
    assert code_problem(system, code) is None
    assert (code_warning(system, code) is not None) is warns


@pytest.mark.parametrize(
    ("system", "code", "expected"),
    [
        ("readv2", "16C..", "16C"),
        ("readv2", "N245.", "N245"),
        ("readv2", "N2453", "N2453"),
        ("bnf", "040702", "040702"),
    ],
)
def test_positional_prefix(system, code, expected):
    assert prefix(system, code) == expected


@pytest.mark.parametrize(
    ("system", "raw", "expected"),
    [
        ("readv2", "N245.00", "N245."),
        ("readv2", " 16C..11 ", "16C.."),
        ("readv2", "N245.", "N245."),
        ("ctv3", "XaZ89", "XaZ89"),
    ],
)
def test_import_normalises_read_v2_seven_character_form(system, raw, expected):
    assert normalise_code(system, raw) == expected
