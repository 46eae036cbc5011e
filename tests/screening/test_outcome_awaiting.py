"""`cohort outcome` refuses a reference still awaiting GP screening: no letter has gone out."""

from __future__ import annotations

import duckdb

from pipeline.audit.log import read_entries

from .conftest import cohort, decide, read_csv


def _outcomes(ws) -> list[tuple]:
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return con.execute("SELECT invite_ref, outcome FROM outcomes").fetchall()


def _ref(folder) -> str:
    return read_csv(folder / "screening" / "screening_list.csv")[0]["screening_ref"]


def test_an_outcome_for_a_reference_awaiting_screening_is_refused_in_one_line(ws, folder):
    ref = _ref(folder)
    refused = cohort("outcome", "record", "--workspace", ws, "--invite-ref", ref,
                     "--outcome", "complaint", "--reason", "in_work")  # fmt: skip
    assert refused.exit_code == 2, refused.output
    (line,) = refused.output.strip().splitlines()
    assert line == (
        f"cohort: invitation reference {ref} is still awaiting GP screening (run {folder.name}): "
        "no letter has gone out, so there is no outcome to record; import the GP's decisions "
        f"(cohort screen import) and release the run (cohort release {folder.name}) first"
    )
    assert _outcomes(ws) == []
    assert not [e for e in read_entries(ws / "audit.log") if e["kind"] in ("outcome", "dnc_add")]
    assert cohort("audit", "verify", "--workspace", ws).exit_code == 0


def test_an_outcomes_file_naming_one_is_refused_naming_the_row(ws, folder, tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text(f"invite_ref,outcome,reason\n{_ref(folder)},no_reply,\n")
    refused = cohort("outcome", "import", path, "--workspace", ws)
    assert refused.exit_code == 2
    assert (
        f"{path} row 2, column invite_ref: invitation reference {_ref(folder)} is still "
        "awaiting GP screening" in refused.output
    )
    assert "(nothing was recorded)" in refused.output and _outcomes(ws) == []


def test_once_released_the_outcome_is_recorded(ws, folder, tmp_path):
    ref = _ref(folder)
    assert (
        cohort("screen", "import", decide(folder, tmp_path, {}), "--workspace", ws).exit_code == 0
    )
    assert cohort("release", folder.name, "--workspace", ws, "--pdf", "never").exit_code == 0
    done = cohort(
        "outcome", "record", "--workspace", ws, "--invite-ref", ref, "--outcome", "replied"
    )
    assert done.exit_code == 0, done.output
    assert _outcomes(ws) == [(ref, "replied")]
