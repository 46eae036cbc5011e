"""How to fix a failed check, in words a practice data manager can act on.

A suite file may say it itself (``meta.fix``); otherwise the expectation's type
decides. Fixes name columns and files, never a patient's values.
"""

from __future__ import annotations

ROWS = "the rows listed in validation/failed_rows.csv (practice only)"
BY_TYPE = {
    "expect_column_values_to_not_be_null": "fill in {column} for "
    + ROWS
    + " in the clinical system, then export again",
    "expect_column_values_to_be_between": "correct {column} for "
    + ROWS
    + " (often a mistyped year or number), then export again",
    "expect_column_values_to_be_in_set": "recode {column} for "
    + ROWS
    + " to one of the allowed values, then export again",
    "expect_column_values_to_match_regex": "check {column} of "
    + ROWS
    + ": a column exported into the wrong place, or codes of another system",
    "expect_column_values_to_not_match_regex": "check {column} of " + ROWS + ", then export again",
    "expect_column_value_lengths_to_be_between": "check {column} of "
    + ROWS
    + ": a column exported into the wrong place?",
    "expect_column_values_to_be_unique": "export one row per {column}; " + ROWS + " share one",
    "expect_compound_columns_to_be_unique": "export one row per {column}; " + ROWS + " share one",
    "expect_column_pair_values_a_to_be_greater_than_b": "correct {column} for "
    + ROWS
    + ", then export again",
    "unexpected_rows_expectation": "correct " + ROWS + " in the clinical system, then export again",
    "expect_column_to_exist": "the loader builds this table: run the shipped version of Cohort Finder; if it persists, report it (a bug, not your data)",
    "table_exists": "the run did not build this table: run the shipped version of Cohort Finder; if it persists, report it",
}
DEFAULT = "see this check in docs/validation.md; fix the extract and run again"


def fix_for(*, type_: str, column: str | None, unit: str, given: str | None) -> str:
    """The suite file's own fix, or the one for its type."""
    if given:
        return " ".join(given.split())
    text = BY_TYPE.get(type_, DEFAULT)
    if unit != "rows" and type_ == "unexpected_rows_expectation":
        text = "see this check in docs/validation.md; fix the extract and run again"
    return text.format(column=column or "the column")
