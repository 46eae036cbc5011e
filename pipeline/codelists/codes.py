"""Coding systems and the shape of their codes.

Read v2 and BNF have a positional hierarchy: a code's descendants are the codes
that start with its prefix (``16C..`` -> ``16C``; BNF ``040702`` -> ``040702``).
SNOMED CT, CTV3 and dm+d have none: descendants come only from a hierarchy file.
Each check returns a problem text (or None) so callers can collect every problem.
"""

from __future__ import annotations

import functools
import re

CODING_SYSTEMS = ("readv2", "ctv3", "snomedct", "dmd", "bnf")
POSITIONAL = frozenset({"readv2", "bnf"})
EVENT_SYSTEMS = ("readv2", "ctv3", "snomedct")
MEDICATION_SYSTEMS = ("dmd", "bnf")

# Read v2: five characters, dots only as trailing padding (16C.., N245., Eu00.).
READV2 = re.compile(r"[A-Za-z0-9][A-Za-z0-9]{0,4}\.{0,4}")
CTV3 = re.compile(r"[A-Za-z0-9.]{5}")
SCTID = re.compile(r"[0-9]{6,18}")
# BNF: chapter, section, paragraph (2 digits each), sub-paragraph (1), then pairs:
# chemical substance, product, strength/formulation, generic equivalent.
BNF = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:[0-9](?:[0-9A-Z]{2}){0,4})?)?)?")

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of DIGITS is its Verhoeff check digit (SNOMED CT ids)."""
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(char)]]
    return check == 0


def verhoeff_digit(digits: str) -> str:
    """The Verhoeff check digit to append to DIGITS (used to make test codes)."""
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[(position + 1) % 8][int(char)]]
    return str(_VERHOEFF_INV[check])


@functools.lru_cache(maxsize=65536)
def code_problem(system: str, code: str) -> str | None:
    """Why CODE is not a valid SYSTEM code, or None when it is (memoised: codes repeat)."""
    if system not in CODING_SYSTEMS:
        return f"unknown coding system {system!r}; use one of {', '.join(CODING_SYSTEMS)}"
    if not isinstance(code, str) or not code:
        return f"{system} code is blank"
    return _CHECKS[system](code)


def _readv2_problem(code: str) -> str | None:
    if len(code) != 5 or not READV2.fullmatch(code):
        return (
            f"readv2 code {code!r} is not 5 characters of letters, digits and trailing dots "
            "(e.g. 16C.., N245.); a 7-character code loses its 2-character term id"
        )
    return None


def _ctv3_problem(code: str) -> str | None:
    if not CTV3.fullmatch(code):
        return f"ctv3 code {code!r} is not 5 characters of letters, digits and dots (e.g. XaZ89)"
    return None


def _sctid_problem(system: str, code: str) -> str | None:
    if not SCTID.fullmatch(code):
        return f"{system} code {code!r} is not 6-18 digits"
    if not verhoeff_valid(code):
        return (
            f"{system} code {code!r} fails the Verhoeff check digit; a digit is mistyped or missing"
        )
    return None


def _bnf_problem(code: str) -> str | None:
    if not BNF.fullmatch(code):
        return (
            f"bnf code {code!r} is not a BNF code shape: 2-15 characters, chapter/section/"
            "paragraph digits then letter-or-digit pairs (e.g. 040702, 0408010G0, 0408010G0AAABAB)"
        )
    return None


_CHECKS = {
    "readv2": _readv2_problem,
    "ctv3": _ctv3_problem,
    "snomedct": lambda code: _sctid_problem("snomedct", code),
    "dmd": lambda code: _sctid_problem("dmd", code),
    "bnf": _bnf_problem,
}


def code_warning(system: str, code: str) -> str | None:
    """A doubt about a valid SNOMED CT / dm+d id that is not worth failing on."""
    if system not in ("snomedct", "dmd") or code_problem(system, code):
        return None
    if code.startswith("0"):
        return f"{system} code {code!r} has a leading zero; SNOMED CT ids never do"
    if code[-3:-1] not in ("00", "10"):
        return (
            f"{system} code {code!r} has partition {code[-3:-1]!r}, not a concept id "
            "(a description or relationship id?); events record concept ids"
        )
    return None


def prefix(system: str, code: str) -> str:
    """The positional prefix of CODE: its descendants are the codes that start with it."""
    assert system in POSITIONAL, system
    return code.rstrip(".") if system == "readv2" else code


def normalise_code(system: str, code: str) -> str:
    """A code as written in a file or CSV: trimmed; Read v2's 7-character form cut to 5."""
    code = code.strip()
    if system == "readv2" and len(code) == 7:
        return code[:5]
    return code
