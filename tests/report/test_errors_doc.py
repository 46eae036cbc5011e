"""docs/errors.md documents every exit code and every user-error class."""

import inspect
import re

from pipeline import errors
from pipeline.paths import ROOT

DOC = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")


def _error_classes() -> list[type]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.CohortError) and cls.__module__ == errors.__name__
    ]


def _status_table() -> dict[int, str]:
    """exit status -> the class column of the table under '## Exit status'."""
    section = DOC.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([^|]*) \|", section, flags=re.M)
    return {int(code): classes for code, classes in rows}


def test_every_error_class_is_in_the_exit_status_table_with_its_code():
    table = _status_table()
    for cls in _error_classes():
        assert cls.exit_code in table, (
            f"exit code {cls.exit_code} ({cls.__name__}) is not documented"
        )
        assert f"`{cls.__name__}`" in table[cls.exit_code], (
            f"{cls.__name__} is not listed under {cls.exit_code}"
        )


def test_every_exit_code_has_a_section_of_messages():
    for code in {cls.exit_code for cls in _error_classes()} - {1}:
        assert re.search(rf"^## {code} — ", DOC, flags=re.M), (
            f"no '## {code} — …' section in docs/errors.md"
        )


def test_success_and_the_documented_codes_are_exactly_zero_to_nine():
    assert sorted(_status_table()) == list(range(0, 10))
    assert sorted({cls.exit_code for cls in _error_classes()}) == list(range(1, 10))
