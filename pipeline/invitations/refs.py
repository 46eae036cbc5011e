"""Invite references: short, unguessable, easy to read over the phone, typo-proof.

A reference looks like ``K7M-4QX-9``: six random symbols and one check symbol,
grouped 3-3-1. The alphabet has 31 symbols (digits 2-9 and capital letters
without I, L and O), so 0/O and 1/I/L can never be confused. The check symbol
makes the weighted sum of all seven symbol values (weights 1..7) a multiple
of 31; as 31 is prime and the weights are distinct and non-zero modulo 31,
every single-symbol mistake and every swap of two neighbours changes the sum
and is detected.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection

from pipeline.errors import UsageError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MODULUS = len(ALPHABET)  # 31, a prime
PAYLOAD_LENGTH = 6
LENGTH = PAYLOAD_LENGTH + 1
GROUPS = (3, 3, 1)
VALUE = {symbol: i for i, symbol in enumerate(ALPHABET)}
_IGNORED = str.maketrans("", "", " -._\t")
_NEVER_USED = {"0": "zero", "O": "letter O", "1": "one", "I": "letter I", "L": "letter L"}

assert MODULUS == 31 and len(set(ALPHABET)) == MODULUS


def check_symbol(payload: str) -> str:
    """The symbol that makes the weighted sum of PAYLOAD + symbol divisible by 31."""
    total = sum((i + 1) * VALUE[s] for i, s in enumerate(payload))
    value = (-total * pow(LENGTH, -1, MODULUS)) % MODULUS
    return ALPHABET[value]


def format_ref(compact: str) -> str:
    """``K7M4QX9`` -> ``K7M-4QX-9``."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(compact[start : start + size])
        start += size
    return "-".join(parts)


def new_ref() -> str:
    """A fresh random reference (not checked against any ledger)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return format_ref(payload + check_symbol(payload))


def new_refs(count: int, *, existing: Collection[str] = ()) -> list[str]:
    """COUNT distinct fresh references, none of them in EXISTING."""
    taken = set(existing)
    refs: list[str] = []
    while len(refs) < count:
        ref = new_ref()
        if ref not in taken:
            taken.add(ref)
            refs.append(ref)
    return refs


def validate_ref(text: str) -> str:
    """The canonical form of a reference typed by a person, or UsageError saying what is wrong.

    Case, spaces, dashes and dots are ignored: ``k7m 4qx9`` -> ``K7M-4QX-9``.
    """
    compact = str(text).upper().translate(_IGNORED)
    shown = f"invite reference '{str(text).strip():.20}'"
    if len(compact) != LENGTH:
        raise UsageError(
            f"{shown} has {len(compact)} letters and digits, not {LENGTH}; read it again from the letter"
        )
    for symbol in compact:
        if symbol not in VALUE:
            name = _NEVER_USED.get(symbol, repr(symbol))
            raise UsageError(
                f"{shown} contains {name}, which references never use (they use 2-9 and A-Z without I, L, O); "
                "read it again from the letter"
            )
    if check_symbol(compact[:-1]) != compact[-1]:
        raise UsageError(
            f"{shown} is mistyped: the check character does not match, so one character is misread; "
            "read it again from the letter"
        )
    return format_ref(compact)


def ref_problem(text: str) -> str | None:
    """What is wrong with TEXT as a reference (for a file's row), or None when it reads."""
    try:
        validate_ref(text)
    except UsageError as exc:
        return exc.message
    return None


def is_valid_ref(text: str) -> bool:
    try:
        validate_ref(text)
    except UsageError:
        return False
    return True
