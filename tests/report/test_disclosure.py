"""Small-number suppression: the one rule every shareable count goes through."""

import pytest

from pipeline.report import is_small, percent, small_count


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, "0"), (1, "<8"), (7, "<8"), (8, "8"), (1234, "1,234"), (None, "–")],
)
def test_counts_from_one_to_seven_are_suppressed(n, shown):
    assert small_count(n) == shown


def test_is_small_marks_exactly_one_to_seven():
    assert [n for n in range(0, 12) if is_small(n)] == [1, 2, 3, 4, 5, 6, 7]


def test_a_negative_count_is_a_bug_not_a_number_to_show():
    with pytest.raises(ValueError):
        small_count(-1)


def test_percent_is_blank_when_either_count_is_suppressed():
    assert percent(50, 200) == "25.0%"
    assert percent(3, 200) == ""
    assert percent(3, 5) == ""
    assert percent(0, 200) == ""
