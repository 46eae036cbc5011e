from __future__ import annotations

import datetime as dt
import types

import pytest

from pipeline.paths import DEFAULT_STUDY

from .builders import RunDB

LETTER_DATE = dt.date(2024, 5, 3)
REPLY_BY = dt.date(2024, 5, 24)


def study(**letter) -> types.SimpleNamespace:
    """What write_outputs reads of a study: name, title, source file and letter mapping."""
    return types.SimpleNamespace(
        name="instep", title="InStep: help to find work", source=str(DEFAULT_STUDY), letter=letter
    )


@pytest.fixture
def rundb() -> RunDB:
    return RunDB()


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    """A PATH without Chromium on it."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
