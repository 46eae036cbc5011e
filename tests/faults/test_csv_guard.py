"""Mail-merge cells: a formula hidden behind invisible characters is neutralised too."""

from __future__ import annotations

import csv

import pytest

from pipeline.invitations.csvfiles import cell, write_csv

HIDDEN = [
    "\x00",
    "\x0b",
    "\n",
    "\r\n",
    "\ufeff",
    "\u202e",
    "\u200b",
    "\u00a0",
    " ",
    "\x1f",
    "\u2028",
]


@pytest.mark.parametrize("prefix", HIDDEN, ids=[f"U+{ord(c[0]):04X}" for c in HIDDEN])
@pytest.mark.parametrize("formula", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\uff1d1+1"])
def test_a_formula_behind_invisible_characters_gets_the_apostrophe(prefix, formula):
    assert cell(prefix + formula) == "'" + prefix + formula


@pytest.mark.parametrize(
    "text", ["O'Brien", "2 Mill Lane", "\x00plain", "\ufeffAnn", "a=b", "LE65 1AB", ""]
)
def test_ordinary_text_is_kept_exactly(text):
    assert cell(text) == text


def test_the_written_file_reads_back_with_the_guard(tmp_path):
    path = write_csv(tmp_path / "m.csv", ["a"], [['\u202e=HYPERLINK("x")'], ["\x0b@A1"]])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r["a"] for r in csv.DictReader(fh)]
    assert rows == ['\'\u202e=HYPERLINK("x")', "'\x0b@A1"]
