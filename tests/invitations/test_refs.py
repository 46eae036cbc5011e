"""Invite references: format, check symbol, normalisation, uniqueness."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import UsageError
from pipeline.invitations.refs import (
    ALPHABET,
    LENGTH,
    is_valid_ref,
    new_ref,
    new_refs,
    validate_ref,
)

SHAPE = re.compile(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]")
refs = st.builds(lambda _: new_ref(), st.integers())


def compact(ref: str) -> str:
    return ref.replace("-", "")


def test_alphabet_leaves_out_look_alikes():
    assert not set("01OIL") & set(ALPHABET)
    assert len(ALPHABET) == 31


@given(refs)
def test_new_refs_are_grouped_and_valid(ref):
    assert SHAPE.fullmatch(ref)
    assert validate_ref(ref) == ref


@given(refs, st.integers(0, LENGTH - 1), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_detected(ref, position, symbol):
    chars = list(compact(ref))
    if chars[position] == symbol:
        return
    chars[position] = symbol
    assert not is_valid_ref("".join(chars))


@given(refs, st.integers(0, LENGTH - 2))
def test_any_adjacent_transposition_is_detected(ref, position):
    chars = list(compact(ref))
    if chars[position] == chars[position + 1]:
        return
    chars[position], chars[position + 1] = chars[position + 1], chars[position]
    assert not is_valid_ref("".join(chars))


def test_every_substitution_and_transposition_of_one_ref_exhaustively():
    ref = compact(new_ref())
    wrong = {ref[:i] + s + ref[i + 1 :] for i in range(LENGTH) for s in ALPHABET} - {ref}
    wrong |= {ref[:i] + ref[i + 1] + ref[i] + ref[i + 2 :] for i in range(LENGTH - 1)} - {ref}
    assert len(wrong) >= LENGTH * 30
    assert not any(is_valid_ref(w) for w in wrong)


@given(refs)
def test_case_spaces_and_dashes_are_ignored(ref):
    spoken = " ".join(compact(ref).lower())
    assert validate_ref(spoken) == ref
    assert validate_ref(compact(ref)) == ref
    assert validate_ref(f"  {ref.lower()} ") == ref


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("K7M-4QX", "has 6 letters and digits, not 7"),
        ("K7M-4QX-99", "has 8 letters and digits"),
        ("K7O-4QX-9", "contains letter O, which references never use"),
        ("K71-4QX-9", "contains one, which references never use"),
        ("", "has 0 letters"),
    ],
)
def test_malformed_refs_say_what_is_wrong(text, says):
    with pytest.raises(UsageError, match=says):
        validate_ref(text)


def test_a_wrong_check_symbol_says_a_character_is_misread():
    ref = compact(new_ref())
    wrong = ref[:-1] + next(s for s in ALPHABET if s != ref[-1])
    with pytest.raises(UsageError, match="is mistyped: the check character does not match"):
        validate_ref(wrong)


def test_new_refs_are_distinct_and_avoid_existing_ones():
    existing = set(new_refs(500))
    fresh = new_refs(2000, existing=existing)
    assert len(set(fresh)) == 2000
    assert not existing & set(fresh)
