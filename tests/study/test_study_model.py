"""Loading a study file: the shipped InStep file, and one-line errors for every mistake."""

from pathlib import Path

import pytest
import yaml

from pipeline.errors import StudyError
from pipeline.paths import DEFAULT_STUDY
from pipeline.study.model import ROLES, load_study

SHIPPED = yaml.safe_load(DEFAULT_STUDY.read_text())


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def changed(**sections) -> dict:
    data = yaml.safe_load(DEFAULT_STUDY.read_text())
    for key, value in sections.items():
        if value is None:
            del data[key]
        elif isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def error(tmp_path: Path, data) -> str:
    with pytest.raises(StudyError) as caught:
        load_study(write(tmp_path, data))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_shipped_study_loads_against_the_codelist_repository():
    study = load_study(DEFAULT_STUDY)
    assert study.name == "instep"
    assert study.parameters() == {
        "c1_min_count": 2, "c1_min_span_days": 90, "c1_window_days": 730,
        "c2_min_count": 1, "c2_min_span_days": 0, "c2_window_days": 730,
        "c3_min_count": 3, "c3_min_span_days": 90, "c3_window_days": 365,
        "employment_exclude_categories": "employed,retired,student", "employment_window_days": 730,
        "max_age": 64, "min_age": 18,
    }  # fmt: skip
    assert study.codelist_refs() == tuple((role, role, "1") for role in ROLES)
    assert len(study.sha256) == 64


def test_the_study_is_frozen():
    study = load_study(DEFAULT_STUDY)
    with pytest.raises(AttributeError):
        study.min_age = 10
    with pytest.raises(TypeError):
        study.letter["subject"] = "changed"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (changed(colour="blue"), "colour: unknown key; remove it or check its spelling"),
        (changed(population={"min_age": 18, "max_age": 64, "max_agee": 70}), "population.max_agee: unknown key"),
        (changed(population={"min_age": "18"}), "population.min_age: must be a whole number of 0 or more, not '18'"),
        (changed(population={"min_age": -1}), "population.min_age: must be a whole number of 0 or more"),
        (changed(population={"min_age": True}), "population.min_age: must be a whole number"),
        (changed(title=None), "title: missing; add it"),
        (changed(employment={"exclude_categories": "employed"}), "employment.exclude_categories: must be a list"),
        (changed(employment={"exclude_categories": ["employd"]}), "'employd' is not a category"),
        (changed(population={"min_age": 70}), "population: min_age 70 is above max_age 64; swap them"),
        (changed(chronic_pain={"c1": {"window_days": 30, "min_count": 2, "min_span_days": 90}}), "could never hold"),
        (changed(chronic_pain={"c2": {"window_days": 730, "min_count": 0}}), "chronic_pain.c2.min_count: must be at least 1"),
        (changed(name="In Step"), "name: use lower-case letters"),
        (changed(codelists={"dementia": {"name": "dementia", "version": 1}}), "codelists.dementia.version: must be text"),
        (changed(codelists={"dementia": {"name": "dementia", "version": "9"}}),
         "codelists.dementia: dementia version 9 is not in the codelist repository (published versions: 1)"),
        (changed(codelists={"dementia": {"name": "dementa", "version": "1"}}), "no codelist of that name"),
        (changed(codelists={"frailty": {"name": "frailty", "version": "1"}}), "codelists.frailty: unknown codelist role"),
        ("name: [unclosed", "not valid YAML at line 1"),
        ("- just\n- a list\n", "must be a YAML mapping"),
    ],
)  # fmt: skip
def test_one_line_errors(tmp_path, data, expected):
    assert expected in error(tmp_path, data)


def test_a_missing_role_is_named(tmp_path):
    data = changed()
    del data["codelists"]["palliative_care"]
    assert "codelists.palliative_care: missing" in error(tmp_path, data)


def test_every_problem_is_listed_at_once(tmp_path):
    message = error(tmp_path, changed(colour="blue", population={"min_age": "x", "max_age": None}))
    assert message.startswith(f"{tmp_path / 'study.yaml'}: 3 problems: ")
    assert (
        "colour" in message
        and "population.min_age" in message
        and "population.max_age: missing" in message
    )


def test_a_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(StudyError, match="no such study file; give --study"):
        load_study(tmp_path / "nope.yaml")


def test_with_codelist_version_repins_every_role_using_that_codelist():
    study = load_study(DEFAULT_STUDY)
    again = study.with_codelist_version("dementia", "2")
    assert again.codelist("dementia").version == "2"
    assert again.codelist("palliative_care").version == "1"
    with pytest.raises(StudyError, match="does not use a codelist called frailty"):
        study.with_codelist_version("frailty", "2")


class DraftDementia:
    """A repository in which dementia version 2 exists but is a draft."""

    class Version:
        def __init__(self, published: bool):
            self.published = published

    def get(self, name, version):
        return self.Version(published=not (name == "dementia" and version == "2"))

    def versions(self, name):
        return ["1", "2"] if name == "dementia" else ["1"]


def test_a_draft_codelist_version_is_refused(tmp_path):
    path = write(tmp_path, changed(codelists={"dementia": {"name": "dementia", "version": "2"}}))
    with pytest.raises(
        StudyError, match="codelists.dementia: dementia version 2 is a draft; publish it"
    ):
        load_study(path, repository=DraftDementia())


def test_cohort_run_refuses_a_study_that_pins_a_draft_codelist(tmp_path):
    """Letters go out only from published codelist versions (drafts can still be compared with impact)."""
    import shutil

    from pipeline import paths
    from pipeline.errors import StudyError
    from pipeline.run import RunOptions, execute

    root = tmp_path / "codelists"
    shutil.copytree(paths.CODELISTS_DIR, root)
    text = (root / "dementia" / "1.yaml").read_text()
    (root / "dementia" / "2.yaml").write_text(
        text.replace("status: published", "status: draft").replace('version: "1"', 'version: "2"')
    )
    study = tmp_path / "study.yaml"
    study.write_text(
        paths.DEFAULT_STUDY.read_text().replace(
            'dementia: {name: dementia, version: "1"}', 'dementia: {name: dementia, version: "2"}'
        )
    )
    options = RunOptions(
        extracts=(tmp_path,), study_path=study, workspace=tmp_path / "ws", codelists_dir=root
    )
    with pytest.raises(StudyError, match=r"dementia version 2 is a draft; publish it"):
        execute(options)
    assert not list((tmp_path / "ws" / "runs").iterdir())
