"""Codelist impact: who joins and who leaves the invited list between two versions."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pipeline.codelists.repository import load_repository
from pipeline.errors import StudyError
from pipeline.paths import CODELISTS_DIR
from pipeline.study.impact import format_impact, impact_on_extract

from .extracts import write_practice
from .world import INSTEP

D = dt.date(2024, 6, 30)
# Version 2 drops the Read v2 code Z172. and adds 8BAZ. (a draft, in a copy of codelists/).
DRAFT = """
name: palliative_care
version: "2"
status: draft
title: "Palliative care (test draft)"
coding_systems: [readv2, snomedct]
include:
  - {system: "snomedct", code: "103735009", term: "Palliative care"}
  - {system: "readv2", code: "8BAZ.", term: "Palliative care (test)"}
"""


def ago(n: int) -> dt.date:
    return D - dt.timedelta(days=n)


@pytest.fixture
def repository(tmp_path):
    root = tmp_path / "codelists"
    shutil.copytree(CODELISTS_DIR, root)
    (root / "palliative_care" / "2.yaml").write_text(DRAFT)
    return load_repository(root)


@pytest.fixture
def extract(tmp_path) -> Path:
    pain = [(p, ago(30), "snomedct", "82423001") for p in ("z172", "both", "new_code", "none")]
    write_practice(
        tmp_path / "extracts" / "A00001",
        practice_code="A00001",
        extract_date=D,
        patients=["z172", "both", "new_code", "none"],
        events=pain
        + [
            ("z172", ago(400), "readv2", "Z172."),
            ("both", ago(400), "snomedct", "103735009"),
            ("new_code", ago(400), "readv2", "8BAZ."),
        ],
    )
    write_practice(
        tmp_path / "extracts" / "B00002",
        practice_code="B00002",
        extract_date=D,
        patients=["z172"],
        events=[("z172", ago(30), "snomedct", "82423001"), ("z172", ago(10), "readv2", "Z172.")],
    )
    return tmp_path / "extracts"


def test_joins_and_leaves_per_practice_with_ids(extract, repository):
    impact = impact_on_extract(
        [extract], INSTEP, codelist="palliative_care", before="1", after="2", repository=repository
    )
    changes = {
        (c.practice_code, c.patient_id, c.change, c.stopped_by_before, c.stopped_by_after)
        for c in impact.changes
    }
    assert changes == {
        ("A00001", "z172", "joins", "palliative", None),
        ("B00002", "z172", "joins", "palliative", None),
        ("A00001", "new_code", "leaves", None, "palliative"),
    }
    assert impact.invited == (("A00001", 2, 2), ("B00002", 0, 1))
    text = format_impact(impact)
    assert "Invited with version 1: 2; with version 2: 3; join: 2; leave: 1." in text
    assert "  A00001  new_code  palliative" in text
    assert "Test" not in text  # forenames, surnames never appear


def test_same_version_changes_nobody(extract):
    impact = impact_on_extract(
        [extract], INSTEP, codelist="palliative_care", before="1", after="1", index_date=D
    )
    assert impact.changes == ()
    assert "Joining: none." in format_impact(impact) and f"index date {D}" in format_impact(impact)


def test_a_codelist_the_study_does_not_use_is_refused(extract):
    with pytest.raises(StudyError, match="does not use a codelist called frailty"):
        impact_on_extract([extract], INSTEP, codelist="frailty", before="1", after="2")
