"""The people columns of every list (mail-merge, nurse's, GP screening) come from one
definition, sql/invitations/list_people.sql: a change there reaches every list."""

from __future__ import annotations

from pipeline import db
from pipeline.paths import SQL_DIR

from .conftest import cohort, decide, read_csv

LISTS = ("invitations/mailmerge_rows", "invitations/nurse_rows", "screening/list_rows")


def test_every_list_reads_the_shared_view_and_the_nhs_number_is_formatted_once():
    for name in LISTS:
        text = db.sql_text(name)
        assert "FROM list_people" in text and "FROM invitations" not in text, name
    formatting = [p for p in SQL_DIR.rglob("*.sql") if "substr(nhs_number, 1, 3)" in p.read_text()]
    assert [p.relative_to(SQL_DIR).as_posix() for p in formatting] == [
        "invitations/list_people.sql"
    ]


def test_a_column_changed_in_the_view_changes_every_list(ws, folder, tmp_path, monkeypatch):
    real = db.sql_text

    def shouting(name: str) -> str:
        text = real(name)
        return text.replace("    surname,", "    upper(surname) AS surname,") if name == (
            "invitations/list_people") else text  # fmt: skip

    screened = {
        r["screening_ref"]: r for r in read_csv(folder / "screening" / "screening_list.csv")
    }
    assert (
        cohort("screen", "import", decide(folder, tmp_path, {}), "--workspace", ws).exit_code == 0
    )
    monkeypatch.setattr(db, "sql_text", shouting)
    assert cohort("release", folder.name, "--workspace", ws, "--pdf", "never").exit_code == 0
    merge = read_csv(folder / "mailmerge.csv")
    nurse = read_csv(folder / "nurse_list.csv")
    assert len(merge) == len(nurse) == len(screened) == 9
    for row in merge:
        listed = screened[row["invite_ref"]]
        assert row["surname"] == listed["surname"].upper() != listed["surname"]
        assert (row["nhs_number"], row["forename"]) == (listed["nhs_number"], listed["forename"])
    assert {r["surname"] for r in nurse} == {r["surname"] for r in merge}
