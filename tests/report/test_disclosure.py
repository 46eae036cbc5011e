"""Small-number suppression: the one rule every shareable count goes through, and the
subtractions a reader could try to undo it."""

import itertools

import pytest

from pipeline.report import is_small, percent, small_count
from pipeline.report.disclosure import rounded


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, "0"), (1, "<8"), (7, "<8"), (8, "10"), (12, "10"), (13, "15"), (1234, "1,235"),
     (4433, "4,435"), (4430, "4,430"), (None, "–")],
)  # fmt: skip
def test_counts_from_one_to_seven_are_suppressed_and_the_rest_rounded_to_5(n, shown):
    assert small_count(n) == shown


def test_is_small_marks_exactly_one_to_seven():
    assert [n for n in range(0, 12) if is_small(n)] == [1, 2, 3, 4, 5, 6, 7]


def test_a_negative_count_is_a_bug_not_a_number_to_show():
    with pytest.raises(ValueError):
        small_count(-1)


def test_percent_is_from_rounded_counts_and_blank_when_either_is_suppressed():
    assert percent(50, 200) == "25.0%"
    assert percent(9, 12) == "100.0%"  # 10 of 10: the exact 9/12 is not given away
    assert percent(3, 200) == ""
    assert percent(3, 5) == ""
    assert percent(0, 200) == ""


def shown_value(text: str) -> range:
    """Every exact count that could be shown as TEXT."""
    if text == "<8":
        return range(1, 8)
    n = int(text.replace(",", ""))
    if n % 5:  # not a multiple of 5: the reader knows it is exact
        return range(n, n + 1)
    return range(0, 1) if n == 0 else range(max(8, n - 2), n + 3)


def consistent(shown_total: str, shown_parts: list[str], hidden: int) -> bool:
    """Could the last part be HIDDEN, given everything shown? (total = sum of parts)."""
    others = [shown_value(t) for t in shown_parts[:-1]]
    for total in shown_value(shown_total):
        rest = total - hidden
        lows = sum(r.start for r in others)
        highs = sum(r.stop - 1 for r in others)
        if lows <= rest <= highs:
            return True
    return False


@pytest.mark.parametrize("died", range(1, 8))
def test_a_flow_chart_step_cannot_be_recovered_by_subtraction(died):
    """4,433 patients, `died` removed, 4,433 - died left: the issue's example, each small count."""
    before, after = 4433, 4433 - died
    shown = [small_count(before), small_count(died), small_count(after)]
    assert shown[1] == "<8"
    # before - after: every value 1..7 fits what is shown, so the subtraction says nothing
    candidates = {
        b - a for b in shown_value(shown[0]) for a in shown_value(shown[2]) if 1 <= b - a <= 7
    }
    assert len(candidates) >= 2, (shown, candidates)


@pytest.mark.parametrize(
    "exact",
    [[120, 3, 45], [1000, 1, 999], [8, 7, 13, 2], [500, 500, 6], [23, 4, 4, 100]],
)
def test_a_practice_row_cannot_be_recovered_from_the_total(exact):
    """Practice rows and their total: no small row is pinned down by total - the others."""
    total, parts = sum(exact), [small_count(n) for n in exact]
    for i, n in enumerate(exact):
        if not is_small(n):
            continue
        order = parts[:i] + parts[i + 1 :] + [parts[i]]
        fits = [h for h in range(1, 8) if consistent(small_count(total), order, h)]
        assert n in fits and len(fits) >= 2, (exact, parts, fits)


def test_rounding_never_moves_a_count_more_than_2():
    assert all(abs(rounded(n) - n) <= 2 for n in range(0, 2000))
    assert [rounded(n) for n in itertools.islice(range(8, 16), 8)] == [
        10,
        10,
        10,
        10,
        10,
        15,
        15,
        15,
    ]
