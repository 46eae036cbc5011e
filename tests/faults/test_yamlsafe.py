"""Alias bombs and deep nesting are refused, quickly and on one line, wherever YAML is read:
the shared reader (pipeline/yamlsafe.py), manifest.yaml, study files and codelist files."""

from __future__ import annotations

import time

import pytest
import yaml

from pipeline import yamlsafe
from pipeline.codelists import yamlio
from pipeline.errors import ExtractError, StudyError
from pipeline.extract.manifest import read_manifest
from pipeline.study.model import load_study

# 9 levels of 9 aliases: ~387 million strings if expanded.
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def test_an_alias_bomb_is_refused_at_once_naming_the_line():
    started = time.perf_counter()
    with pytest.raises(yamlsafe.UnsafeYaml) as caught:
        yamlsafe.safe_load(BOMB)
    assert time.perf_counter() - started < 1
    assert str(caught.value).startswith("line 1, column 4: YAML anchor &a is not allowed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: *x\n", "line 2, column 4: YAML alias *x is not allowed"),
        ("a: &x 1\n", "line 1, column 4: YAML anchor &x is not allowed"),
        ("a: " + "[" * 70 + "]" * 70 + "\n", "nested more than 64 levels deep"),
    ],
    ids=["alias", "anchor", "deep"],
)
def test_each_unsafe_construct_has_its_own_one_line_message(text, expected):
    with pytest.raises(yaml.YAMLError) as caught:
        yamlsafe.safe_load(text)
    assert expected in yamlsafe.describe(caught.value)
    assert "\n" not in yamlsafe.describe(caught.value)


def test_plain_yaml_loads_as_yaml_safe_load_would():
    text = "a: 1\nb: [x, 'y']\nc: {d: 2024-01-02}\n"
    assert yamlsafe.safe_load(text) == yaml.safe_load(text)
    assert yamlsafe.safe_load("") is None


def test_a_syntax_error_is_described_on_one_line():
    with pytest.raises(yaml.YAMLError) as caught:
        yamlsafe.safe_load("a: [1\n")
    assert yamlsafe.describe(caught.value).startswith("line 2, column 1: not valid YAML")


def test_the_codelist_reader_refuses_aliases():
    with pytest.raises(yamlsafe.UnsafeYaml):
        yamlio.read_yaml(BOMB)


def test_a_manifest_alias_bomb_is_a_one_line_extract_error(tmp_path):
    folder = tmp_path / "A81001"
    folder.mkdir()
    (folder / "manifest.yaml").write_text(
        BOMB.replace("i: &i", "practice_code: A81001\nextract_date: 2024-03-31\npractice_name:"),
        encoding="utf-8",
    )
    with pytest.raises(ExtractError) as caught:
        read_manifest(folder)
    message = str(caught.value)
    assert message.startswith(f"{folder / 'manifest.yaml'}: line 1, column 4: YAML anchor &a")
    assert "\n" not in message


def test_a_study_file_alias_bomb_is_a_one_line_study_error(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        load_study(path)
    assert str(caught.value).startswith(f"{path}: line 1, column 4: YAML anchor &a is not allowed")
