"""Loading a study file: the shipped InStep file, and one-line errors for every mistake."""

from pathlib import Path

import pytest
import yaml

from pipeline.errors import StudyError
from pipeline.paths import DEFAULT_STUDY
from pipeline.study.build import NODE_KEYS
from pipeline.study.model import load_study

SHIPPED = yaml.safe_load(DEFAULT_STUDY.read_text())


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def changed(**sections) -> dict:
    """The shipped study with top-level sections replaced (None: removed), or a
    criterion's node values changed (criteria={"c1": {"min_count": 0}})."""
    data = yaml.safe_load(DEFAULT_STUDY.read_text())
    for key, value in sections.items():
        if value is None:
            del data[key]
        elif key == "criteria":
            for name, values in value.items():
                spec = data["criteria"].setdefault(name, {})
                kind = next((k for k in NODE_KEYS if k in spec), None)
                if kind and isinstance(values, dict) and "label" not in values:
                    spec[kind] = {**spec[kind], **values}
                else:
                    data["criteria"][name] = values
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
        "c1_min_count": 2, "c1_min_span_days": 90, "c1_within_days": 730,
        "c2_min_count": 1, "c2_within_days": 730,
        "c3_min_count": 3, "c3_min_span_days": 90, "c3_within_days": 365,
        "dementia_min_count": 1, "palliative_min_count": 1,
        "employment_category_in": "employed,retired,student", "employment_within_days": 730,
        "opt_out_min_count": 1, "opt_out_unless_later": "research_opt_out_withdrawn",
        "working_age_max": 64, "working_age_min": 18,
        # InStep v2: out-of-work evidence (W1, W2, W3) and the score
        "out_of_work_latest_category_in": "unemployed,long_term_sick",
        "out_of_work_latest_within_days": 730, "w2_min_count": 1, "w2_within_days": 730,
        "w3_min_count": 2, "w3_min_span_days": 90, "w3_within_days": 365,
        "w3_unless_later": "employment_status",
        "recent_pain_medication_min_count": 1, "recent_pain_medication_within_days": 90,
        "score_w1_or_w2": 4, "score_w3": 3, "score_c2": 1, "score_recent_pain_medication": 1,
    }  # fmt: skip
    aliases = [a for a, _, _ in study.codelist_refs()]
    assert study.codelist_refs() == tuple(
        (a, a, "2" if a == "employment_status" else "1") for a in aliases
    )
    assert {"fit_notes_not_fit", "out_of_work_benefits"} <= set(aliases)
    assert study.out_of_work_evidence == "out_of_work"
    assert [s.stop for s in study.all_steps()] == [
        "not_registered", "not_alive", "age", "no_chronic_pain", "in_work", "dementia",
        "palliative", "opt_out", "already_invited", "do_not_contact", "screened_out", "data_quality",
    ]  # fmt: skip
    assert len(study.sha256) == 64


def test_the_study_is_frozen():
    study = load_study(DEFAULT_STUDY)
    with pytest.raises(AttributeError):
        study.name = "other"
    with pytest.raises(AttributeError):
        study.criterion("working_age").node.min = 10
    with pytest.raises(TypeError):
        study.letter["subject"] = "changed"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (changed(colour="blue"), "colour: unknown key; the study file's keys are name, title"),
        (changed(criteria={"working_age": {"max_agee": 70}}), "criteria.working_age.age.max_agee: unknown key; use one of min, max"),
        (changed(criteria={"working_age": {"min": "18"}}), "criteria.working_age.age.min: must be a whole number of 0 or more, not '18'"),
        (changed(criteria={"working_age": {"min": -1}}), "criteria.working_age.age.min: must be a whole number of 0 or more"),
        (changed(criteria={"working_age": {"min": True}}), "criteria.working_age.age.min: must be a whole number"),
        (changed(title=None), "title: missing; add it"),
        (changed(criteria={"employment": {"category_in": "employed"}}), "criteria.employment.latest.category_in: must be a list"),
        (changed(criteria={"employment": {"category_in": ["employd"]}}), "'employd' is not a category of codelist employment_status"),
        (changed(criteria={"working_age": {"min": 70}}), "criteria.working_age.age: min 70 is above max 64; swap them"),
        (changed(criteria={"c1": {"within_days": 30}}), "could never hold"),
        (changed(criteria={"c2": {"min_count": 0}}), "criteria.c2.records.min_count: must be at least 1"),
        (changed(criteria={"c2": {"label": "C2", "records": {"codelist": "chronic_pain_diagnosis"}, "any": ["c1"]}}),
         "criteria.c2: needs exactly one node type"),
        (changed(criteria={"chronic_pain": {"label": "Chronic pain", "any": []}}),
         "criteria.chronic_pain.any: an empty any: list at least one criterion name"),
        (changed(criteria={"chronic_pain": {"label": "Chronic pain", "any": ["c1", "c4"]}}),
         "criteria.chronic_pain.any: no criterion called 'c4'; define it under criteria:"),
        (changed(criteria={"not_in_work": {"label": "Loop", "not": "loop"}, "loop": {"label": "Loop", "all": ["not_in_work"]}}),
         "refers back to itself (loop -> not_in_work -> loop); break the loop"),
        (changed(criteria={"c1": {"codelist": "back_pain"}}), "criteria.c1.records.codelist: no codelist 'back_pain' under codelists:"),
        (changed(criteria={"c1": {"source": "letters"}}), "criteria.c1.records.source: must be one of events, medications"),
        (changed(steps=[{"require": "registered"}, {"require": "workin_age"}]), "steps[1]: no criterion called 'workin_age'"),
        (changed(steps=[{"require": "registered", "exclude": "dementia"}]), "steps[0]: give exactly one of require: or exclude:"),
        (changed(steps=[{"require": "registered", "stop": "data_quality"}]), "is a built-in final step every study gets"),
        (changed(score={"c2": "one"}), "score.c2: must be a whole number of points"),
        (changed(score={"c9": 1}), "score.c9: no criterion called 'c9'"),
        (changed(name="In Step"), "name: use lower-case letters"),
        (changed(codelists={"dementia": {"name": "dementia", "version": "9"}}),
         "codelists.dementia: dementia version 9 is not in the codelist repository (published versions: 1)"),
        (changed(codelists={"dementia": {"name": "dementa", "version": "1"}}), "no codelist of that name"),
        ("name: [unclosed", "not valid YAML at line 1"),
        ("- just\n- a list\n", "must be a YAML mapping"),
    ],
)  # fmt: skip
def test_one_line_errors(tmp_path, data, expected):
    assert expected in error(tmp_path, data)


def test_an_error_names_the_line_it_is_on(tmp_path):
    text = DEFAULT_STUDY.read_text().replace(
        "min_count: 2, min_span_days: 90}", "min_count: two, min_span_days: 90}"
    )
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "min_count: two" in t)
    path = write(tmp_path, text)
    with pytest.raises(StudyError) as caught:
        load_study(path)
    assert str(caught.value) == (
        f"{path}: line {line}: criteria.c1.records.min_count: must be a whole number of 0 or more, not 'two'"
    )


def test_an_old_format_study_file_says_how_to_convert_it(tmp_path):
    old = (Path(__file__).parent / "old_instep.yaml").read_text()
    message = error(tmp_path, old)
    assert "study format of before the study language" in message
    assert "cohort upgrade-study" in message


def test_a_missing_codelist_alias_is_named(tmp_path):
    data = changed()
    del data["codelists"]["palliative_care"]
    assert "criteria.palliative.records.codelist: no codelist 'palliative_care'" in error(
        tmp_path, data
    )


def test_every_problem_is_listed_at_once(tmp_path):
    message = error(
        tmp_path, changed(colour="blue", criteria={"working_age": {"min": "x", "max": None}})
    )
    assert message.startswith(f"{tmp_path / 'study.yaml'}: 3 problems: ")
    assert (
        "colour" in message
        and "criteria.working_age.age.min" in message
        and "criteria.working_age.age.max: missing" in message
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
        extracts=(tmp_path,),
        study_path=study,
        workspace=tmp_path / "ws",
        codelists_dir=root,
        new_workspace=True,
    )
    with pytest.raises(StudyError, match=r"dementia version 2 is a draft; publish it"):
        execute(options)
    assert not list((tmp_path / "ws" / "runs").iterdir())


def test_upgrade_study_converts_the_old_instep_file_to_the_shipped_tree(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    old = Path(__file__).parent / "old_instep.yaml"
    result = CliRunner().invoke(main, ["upgrade-study", str(old)])
    assert result.exit_code == 0, result.output
    upgraded = load_study(write(tmp_path, result.output))
    shipped = load_study(DEFAULT_STUDY)
    # The old format could only state InStep v1: every criterion it makes is the shipped
    # one of that name, with the same steps; v2 adds evidence criteria, a score and
    # pins employment_status version 2 (fit notes), which an old file cannot state.
    assert upgraded.criteria == tuple(shipped.criterion(c.name) for c in upgraded.criteria)
    assert upgraded.steps == shipped.steps
    v1_refs = {a: (n, v) for a, n, v in upgraded.codelist_refs()}
    v2_refs = {a: (n, v) for a, n, v in shipped.codelist_refs()}
    assert v1_refs == {a: v2_refs[a] for a in v1_refs} | {
        "employment_status": ("employment_status", "1")
    }
    again = CliRunner().invoke(main, ["upgrade-study", str(DEFAULT_STUDY)])
    assert again.exit_code == 5 and "not a study file of the old format" in again.output
