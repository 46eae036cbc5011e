"""Fixtures: one real published run in a workspace, built once, copied per test."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipeline.workspace import Workspace

from . import rundb as R

# The patients of the explain scenarios (index date 2019-06-01).
PATIENTS = [
    R.patient("p1"),  # invited on route C1; an old Employed code outside the window
    R.patient("p2"),  # stopped by a Full-time employment code inside the window
    R.patient("p3", date_of_birth=R.dt.date(2003, 1, 1)),  # aged 16: stopped by age
    R.patient("p4", postcode=None, postcode_valid=False),  # passes every rule: held in quarantine
    R.patient(
        "p5", nhs_number=R.VALID_NHS, nhs_number_valid=True, forename="Beth", surname="Sample"
    ),  # invited
    R.patient("p6"),  # invited
]
EVENTS = [
    R.event("p1", "2018-06-01", "279039007"),
    R.event("p1", "2019-01-15", "279039007"),
    R.event("p1", "2015-03-01", "224363007"),
    R.event("p2", "2019-01-01", "82423001"),
    R.event("p2", "2019-02-01", "160903007"),
    R.event("p3", "2019-01-01", "82423001"),
    R.event("p4", "2019-01-01", "82423001"),
    R.event("p5", "2019-01-01", "82423001"),
    R.event("p6", "2019-01-01", "82423001"),
    R.event("p6", "2020-01-01", "224363007"),  # after the index date: ignored
]


@pytest.fixture(scope="session")
def html_letters_only():
    """Letters as HTML only: printing PDFs is slow and not what these tests are about."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("pipeline.invitations.pdf.chromium", lambda: None)
        yield


@pytest.fixture(scope="session")
def base_workspace(tmp_path_factory, html_letters_only):
    ws = Workspace.open(tmp_path_factory.mktemp("base") / "ws")
    R.make_run(ws, "run1", patients=PATIENTS, events=EVENTS)
    return ws.root


@pytest.fixture
def ws(base_workspace, tmp_path, html_letters_only) -> Workspace:
    """A private copy of the one-run workspace (tests may change it)."""
    root = tmp_path / "ws"
    shutil.copytree(base_workspace, root)
    con = duckdb.connect(str(root / "state.duckdb"))
    try:  # the state keeps absolute folders: point them at the copy
        con.execute(
            "UPDATE runs SET out_dir = replace(out_dir, $old, $new), stage_dir = replace(stage_dir, $old, $new)",
            {"old": str(base_workspace), "new": str(root)},
        )
    finally:
        con.close()
    return Workspace.open(root)
