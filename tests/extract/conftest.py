from __future__ import annotations

import pytest


@pytest.fixture
def root(tmp_path):
    """An empty folder for practice folders."""
    path = tmp_path / "extracts"
    path.mkdir()
    return path
