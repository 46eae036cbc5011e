"""Small-number suppression: the one place that decides how a count is shown
in anything meant to leave the practice (the run report, shareable summaries).

Counts from 1 to 7 are shown as ``<8`` so that a reader cannot single out a
handful of patients; 0 stays 0 (an empty step is not disclosive) and larger
counts are shown in full with thousands separators.
"""

from __future__ import annotations

SMALL_COUNT_MAX = 7
SUPPRESSED = "<8"


def is_small(n: int | None) -> bool:
    """True when N must not be shown (1 to 7 inclusive)."""
    return n is not None and 0 < n <= SMALL_COUNT_MAX


def small_count(n: int | None, *, missing: str = "–") -> str:
    """N as shown in shareable output: ``<8`` for 1–7, ``1,234`` otherwise."""
    if n is None:
        return missing
    n = int(n)
    if n < 0:
        raise ValueError(f"a count cannot be negative: {n}")
    return SUPPRESSED if is_small(n) else f"{n:,}"


def percent(part: int | None, whole: int | None) -> str:
    """PART as a percentage of WHOLE, or blank when either count is suppressed."""
    if not part or not whole or is_small(part) or is_small(whole):
        return ""
    return f"{100 * part / whole:.1f}%"
