"""Suite files: every shipped expectation is recognised by GX, and a broken
file fails in one line naming the file and the expectation."""

from __future__ import annotations

import textwrap

import pytest

from pipeline.errors import ValidationFailed
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.validation.suites import build_gx_suite, read_suite

SHIPPED = ("patients", "events", "medications", "cohort", "invitations")
GOOD = """
suite: mini
tables:
  patients:
    - description: sex is M, F, I or U
      type: expect_column_values_to_be_in_set
      kwargs: {column: sex, value_set: [M, F, I, U]}
      meta: {severity: blocking}
"""


def write(tmp_path, text: str, name: str = "mini"):
    (tmp_path / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_expectation_is_built_by_gx(name):
    suite = read_suite(name)
    in_file = sum(len(items) for items in _raw_tables(name).values())
    assert len(suite.expectations) == in_file
    built = sum(len(build_gx_suite(suite, table).expectations) for table in suite.tables)
    assert built == in_file
    assert {e.severity for e in suite.expectations} <= {"blocking", "warning"}


def _raw_tables(name: str) -> dict:
    import yaml

    return yaml.safe_load((EXPECTATIONS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))["tables"]


def test_shipped_suites_read_the_batch_only_through_a_subquery():
    """GX appends `AS subselect` to {batch} in queries without a JOIN; an alias of
    our own after it is a syntax error, so suites write (SELECT * FROM {batch}) AS x."""
    for name in SHIPPED:
        text = (EXPECTATIONS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
        assert "{batch} AS" not in text.replace("(SELECT * FROM {batch}) AS", ""), name


def test_unknown_expectation_type_names_the_file_and_the_expectation(tmp_path):
    write(
        tmp_path,
        GOOD.replace("expect_column_values_to_be_in_set", "expect_column_values_to_be_in_sett"),
    )
    suite = read_suite("mini", directory=tmp_path)
    with pytest.raises(ValidationFailed) as err:
        build_gx_suite(suite, "patients")
    message = str(err.value)
    assert message == (
        f'{tmp_path / "mini.yaml"}: expectation 1 ("sex is M, F, I or U") has type '
        "expect_column_values_to_be_in_sett, which Great Expectations does not know; fix the type"
    )
    assert err.value.exit_code == 6


def test_wrong_kwargs_name_the_expectation(tmp_path):
    write(tmp_path, GOOD.replace("value_set: [M, F, I, U]", "value_sett: [M]"))
    with pytest.raises(
        ValidationFailed, match=r'expectation 1 \("sex is M, F, I or U"\) is not a valid'
    ):
        build_gx_suite(read_suite("mini", directory=tmp_path), "patients")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("severity: blocking", "severity: fatal"), "meta.severity must be blocking or warning"),
        (("      meta: {severity: blocking}\n", ""), "needs description, type and meta"),
        (("suite: mini", "suite: other"), "suite is 'other' but the file is named mini"),
    ],
)
def test_malformed_suite_files_fail_in_one_line(tmp_path, change, message):
    write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ValidationFailed, match=message) as err:
        read_suite("mini", directory=tmp_path)
    assert "\n" not in str(err.value)
    assert str(tmp_path / "mini.yaml") in str(err.value)


def test_two_expectations_with_one_description_are_refused(tmp_path):
    item = GOOD.split("  patients:\n")[1]
    write(tmp_path, GOOD + item)
    with pytest.raises(
        ValidationFailed,
        match='expectations 1 and 2 of table patients are both "sex is M, F, I or U"',
    ):
        read_suite("mini", directory=tmp_path)


def test_unknown_suite_lists_the_known_ones(tmp_path):
    write(tmp_path, GOOD)
    with pytest.raises(ValidationFailed, match="no such validation suite; the suites are mini"):
        read_suite("nope", directory=tmp_path)
