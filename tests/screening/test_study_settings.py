"""The study's capacity and screening settings: defaults, edges and one-line refusals."""

from __future__ import annotations

import pytest

from pipeline.errors import StudyError
from pipeline.paths import DEFAULT_STUDY
from pipeline.study.model import load_study


def with_lines(tmp_path, *lines: str):
    text = DEFAULT_STUDY.read_text().replace("capacity_per_practice: 120\n", "")
    path = tmp_path / "study.yaml"
    path.write_text(text + "\n" + "\n".join(lines) + "\n")
    return path


def test_instep_has_a_capacity_of_120_and_screening_required():
    study = load_study(DEFAULT_STUDY)
    assert study.capacity_per_practice == 120 and study.screening == "required"


@pytest.mark.parametrize(
    ("lines", "capacity", "screening"),
    [
        ((), None, "required"),  # no capacity: no limit; screening by default
        (("capacity_per_practice: 1",), 1, "required"),
        (("screening: off",), None, "off"),  # YAML reads a bare off as false
        (('screening: "off"', "capacity_per_practice: 5000"), 5000, "off"),
        (("screening: required",), None, "required"),
    ],
)
def test_settings_as_written(tmp_path, lines, capacity, screening):
    study = load_study(with_lines(tmp_path, *lines))
    assert (study.capacity_per_practice, study.screening) == (capacity, screening)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("capacity_per_practice: 0", "capacity_per_practice: must be at least 1"),
        ("capacity_per_practice: -3", "capacity_per_practice"),
        ("screening: sometimes", "screening: 'sometimes' is not a setting; use required or off"),
    ],
)
def test_a_wrong_setting_is_refused_on_one_line(tmp_path, line, message):
    with pytest.raises(StudyError) as caught:
        load_study(with_lines(tmp_path, line))
    assert message in str(caught.value) and "\n" not in str(caught.value)
