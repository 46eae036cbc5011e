"""`cohort screen import` refuses a decisions file with any wrong row, naming each by
row number and reference only, and stores nothing; a good file is stored whole."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.invitations.refs import new_ref

from .conftest import cohort, decide, read_csv, write_csv


def stored(ws) -> int:
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(*) FROM screening_decisions").fetchone()[0]


def refused(ws, path) -> str:
    result = cohort("screen", "import", path, "--workspace", ws)
    assert result.exit_code == 2, result.output
    assert stored(ws) == 0
    out = result.output.strip()
    assert out.count("\n") == 0, "one line"
    assert "Name" not in out and "Surname" not in out and "Mill Lane" not in out, "no patient data"
    return out


def rows_of(folder) -> list[dict]:
    return [
        {**r, "decision": "include"} for r in read_csv(folder / "screening" / "screening_list.csv")
    ]


def test_a_missing_row_is_named_by_reference(ws, folder, tmp_path):
    rows = rows_of(folder)
    gone = rows.pop(3)
    out = refused(ws, write_csv(tmp_path / "d.csv", rows))
    assert f"missing rows: 1 listed people have no row ({gone['screening_ref']})" in out


def test_a_practice_file_covers_that_practice_only(ws, folder, tmp_path):
    rows = [r for r in rows_of(folder) if r["practice_code"] == "B82002"]
    result = cohort("screen", "import", write_csv(tmp_path / "b.csv", rows), "--workspace", ws)
    assert result.exit_code == 0, result.output
    assert stored(ws) == 3 and "practice B82002" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"screening_ref": new_ref()}, "unknown person: no one waiting for screening"),
        ({"screening_ref": "not a ref"}, "screening_ref is empty or not a reference"),
        ({"patient_id": "zz9"}, "unknown person: practice_code or patient_id differ"),
        ({"decision": "maybe"}, "decision must be include or exclude"),
        ({"decision": ""}, "decision must be include or exclude"),
        (
            {"decision": "exclude", "reason": "fed up"},
            "unknown reason; use bereavement, serious_illness",
        ),
        ({"decision": "exclude", "reason": ""}, "unknown reason"),
        ({"decision": "exclude", "reason": "other"}, "reason other needs reason_text saying why"),
        ({"decision": "include", "reason": "in_work"}, "include with a reason"),
    ],
)
def test_a_wrong_row_is_named_and_nothing_is_stored(ws, folder, tmp_path, change, message):
    rows = rows_of(folder)
    ref = rows[2]["screening_ref"]
    rows[2] |= change
    out = refused(ws, write_csv(tmp_path / "d.csv", rows))
    assert message in out and "row 4" in out
    if "screening_ref" not in change:
        assert f"row 4 ({ref})" in out
    assert out.endswith("nothing was imported: fix the file and import it again")


def test_every_problem_is_named_at_once(ws, folder, tmp_path):
    rows = rows_of(folder)
    rows[0]["decision"] = "maybe"
    rows[1] |= {"decision": "exclude", "reason": "other"}
    rows.append(dict(rows[2]))
    out = refused(ws, write_csv(tmp_path / "d.csv", rows))
    assert out.startswith(f"cohort: {tmp_path / 'd.csv'}: 3 problems: row 2 (")
    assert "the same reference is on row 4" in out


def test_reasons_may_be_written_as_words_in_any_case(ws, folder, tmp_path):
    rows = rows_of(folder)
    words = [
        "Recent bereavement",
        "SERIOUS ILLNESS",
        "safeguarding",
        "known to be in work",
        "in-work",
    ]
    for row, reason in zip(rows, words, strict=False):
        row |= {"decision": "Exclude", "reason": reason}
    result = cohort("screen", "import", write_csv(tmp_path / "d.csv", rows), "--workspace", ws)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        got = con.execute(
            "SELECT reason, count(*) FROM screening_decisions WHERE decision = 'exclude' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert got == [("bereavement", 1), ("in_work", 2), ("safeguarding", 1), ("serious_illness", 1)]


def test_a_second_import_replaces_the_first_until_release(ws, folder, tmp_path):
    first = decide(folder, tmp_path, {"a1": ("exclude", "in_work", "")})
    assert cohort("screen", "import", first, "--workspace", ws).exit_code == 0
    again = decide(folder, tmp_path, {})
    assert cohort("screen", "import", again, "--workspace", ws).exit_code == 0
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        got = con.execute(
            "SELECT decision, count(*) FROM screening_decisions GROUP BY 1"
        ).fetchall()
    assert got == [("include", 9)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("screening_ref,decision\nK7M-4QX-9,include\n", "no column reason, reason_text"),
        ("screening_ref,decision,reason,reason_text\n", "has no rows"),
    ],
)
def test_a_file_that_is_not_a_screening_list_is_refused(ws, tmp_path, content, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    assert message in refused(ws, path)


def test_a_missing_file_and_a_missing_workspace_are_one_line_errors(ws, tmp_path):
    assert "no such file" in refused(ws, tmp_path / "nope.csv")
    result = cohort("screen", "import", tmp_path / "nope.csv", "--workspace", tmp_path / "none")
    assert result.exit_code == 7 and "no workspace here" in result.output
