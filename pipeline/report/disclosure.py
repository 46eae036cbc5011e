"""Small-number suppression: the one place that decides how a count is shown
in anything meant to leave the practice (the run report's flow chart and
tables, the yield report, shareable summaries).

Two rules, applied to every count together, so that no small number can be
worked out by subtracting one shown count from another:

- counts from 1 to 7 are shown as ``<8``, so a reader cannot single out a
  handful of patients; 0 stays 0 (an empty step is not disclosive);
- every other count is **rounded to the nearest 5** (``4,433`` is shown as
  ``4,435``, ``4,430`` as ``4,430``). Without rounding, ``4,433 → 4,430``
  beside "died: <8" gives the 3 away; with it, the difference of two shown
  counts is only known to within ±5, so the hidden count could be any of
  1 to 7 (tests/report/test_disclosure.py tries the subtractions).

Percentages are worked out from the rounded counts, and left blank when
either count is suppressed. Exact counts stay inside the practice (the run's
terminal summary, ``cohort report yield --exact``).
"""

from __future__ import annotations

SMALL_COUNT_MAX = 7
SUPPRESSED = "<8"
ROUND_TO = 5
NOTE = "Counts of 1 to 7 are shown as <8 and all other counts are rounded to the nearest 5."


def is_small(n: int | None) -> bool:
    """True when N must not be shown (1 to 7 inclusive)."""
    return n is not None and 0 < n <= SMALL_COUNT_MAX


def rounded(n: int) -> int:
    """N to the nearest multiple of 5 (halves up: 8 -> 10, 12 -> 10, 13 -> 15)."""
    return ROUND_TO * ((n + ROUND_TO // 2) // ROUND_TO)


def small_count(n: int | None, *, missing: str = "–") -> str:
    """N as shown in shareable output: ``<8`` for 1–7, otherwise rounded to 5 (``4,435``)."""
    if n is None:
        return missing
    n = int(n)
    if n < 0:
        raise ValueError(f"a count cannot be negative: {n}")
    return SUPPRESSED if is_small(n) else f"{rounded(n):,}"


def percent(part: int | None, whole: int | None) -> str:
    """PART as a percentage of WHOLE, from the rounded counts; blank when either is suppressed."""
    if not part or not whole or is_small(part) or is_small(whole):
        return ""
    return f"{100 * rounded(part) / rounded(whole):.1f}%"
