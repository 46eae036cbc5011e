"""Outcomes and the do-not-contact list: a complaint means never again, in every later run."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.audit.log import read_entries
from pipeline.audit.verify import verify_workspace
from pipeline.cli import main

from . import rundb as R
from .conftest import EVENTS, PATIENTS


def cohort(ws, *args: str):
    return CliRunner().invoke(main, [*args, "--workspace", str(ws.root)])


def state_rows(ws, sql: str) -> list[tuple]:
    con = duckdb.connect(str(ws.state_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def population(state, patient_id: str) -> dict:
    con = duckdb.connect(str(state.out_dir / "run.duckdb"), read_only=True)
    try:
        cur = con.execute("SELECT * FROM population WHERE patient_id = ?", [patient_id])
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    finally:
        con.close()


def test_a_complaint_puts_the_person_on_the_list_and_in_the_log(ws):
    ref = R.invite_ref(ws, "p5")
    result = cohort(ws, "outcome", "record", "--invite-ref", ref, "--outcome", "complaint", "--reason", "in_work",
                    "--note", "rang the surgery, upset")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 outcome(s) recorded; 1 person(s) put on the do-not-contact list." in result.output
    assert state_rows(
        ws, "SELECT practice_code, patient_id, nhs_number, reason, source FROM do_not_contact"
    ) == [("J82001", "p5", R.VALID_NHS, "complaint (in_work)", ref)]
    kinds = [(e["kind"], e["details"].get("outcome")) for e in read_entries(ws.audit_path)]
    assert kinds[-2:] == [("outcome", "complaint"), ("dnc_add", None)]
    log = ws.audit_path.read_text()
    assert R.VALID_NHS not in log and "Sample" not in log and "upset" not in log
    assert verify_workspace(ws).ok


def test_a_complaint_keeps_them_out_of_every_later_run(ws):
    cohort(
        ws, "outcome", "record", "--invite-ref", R.invite_ref(ws, "p5"), "--outcome", "complaint"
    )
    later = R.make_run(ws, "run2", patients=PATIENTS, events=EVENTS, index_date=dt.date(2019, 9, 1))
    row = population(later, "p5")
    assert row["do_not_contact"] and not row["invited"]
    other = R.make_run(ws, "run3", patients=PATIENTS, events=EVENTS, index_date=dt.date(2020, 3, 1),
                       study_name="instep-b")  # fmt: skip
    row = population(other, "p5")
    assert (
        row["stopped_by"] == "do_not_contact"
    )  # not already invited to this study: only the list stops them
    assert population(other, "p1")["invited"]
    text = CliRunner().invoke(main, ["explain", "--workspace", str(ws.root), "--nhs-number", R.VALID_NHS,
                                     "--run", "run3"]).output  # fmt: skip
    assert (
        "NOT INVITED: the first rule that stopped them was 'Not on the do-not-contact list'" in text
    )
    assert "reason: complaint (matched by practice and patient id)" in text
    assert verify_workspace(ws).ok


def test_removal_needs_a_reason_and_lets_later_runs_write_again(ws):
    cohort(ws, "outcome", "record", "--invite-ref", R.invite_ref(ws, "p5"), "--outcome", "declined")
    missing = cohort(ws, "dnc", "remove", "--nhs-number", R.VALID_NHS, "--reason", " ")
    assert missing.exit_code == 2 and "--reason: say why" in missing.output
    removed = cohort(
        ws, "dnc", "remove", "--nhs-number", R.VALID_NHS, "--reason", "asked to hear about studies"
    )
    assert (
        removed.exit_code == 0
        and "Removed from the do-not-contact list (1 entry)." in removed.output
    )
    assert state_rows(ws, "SELECT removed_reason FROM do_not_contact") == [
        ("asked to hear about studies",)
    ]
    assert read_entries(ws.audit_path)[-1]["kind"] == "dnc_remove"
    later = R.make_run(ws, "run2", patients=PATIENTS, events=EVENTS, study_name="instep-b")
    assert population(later, "p5")["invited"]
    listed = cohort(ws, "dnc", "list", "--all")
    assert (
        "J82001 p5 NHS 9434765919: declined (from" in listed.output and "REMOVED" in listed.output
    )


def test_manual_entries_by_nhs_number(ws):
    added = cohort(
        ws, "dnc", "add", "--nhs-number", "943 476 5919", "--reason", "phoned: no research letters"
    )
    assert added.exit_code == 0 and "Added to the do-not-contact list." in added.output
    again = cohort(
        ws, "dnc", "add", "--practice", "J82001", "--patient-id", "p5", "--reason", "again"
    )
    assert "Already on the do-not-contact list." in again.output
    entry = read_entries(ws.audit_path)[-1]
    assert entry["kind"] == "dnc_add" and set(entry["details"]) == {
        "practice_code",
        "nhs",
        "source",
        "reason_sha256",
        "change",  # the commit journal's id for the change (pipeline/journal.py logged_change)
    }
    bad = cohort(ws, "dnc", "add", "--nhs-number", "943 476 5918", "--reason", "x")
    assert (
        bad.exit_code == 2 and "not a valid NHS number" in bad.output and "5918" not in bad.output
    )


@pytest.mark.parametrize(
    ("outcome", "reason", "message"),
    [
        (
            "ineligible",
            None,
            "--reason: an ineligible outcome needs a reason: one of in_work, retired",
        ),
        ("replyed", None, "--outcome: 'replyed' is not an outcome; use one of no_reply, replied"),
        ("ineligible", "bored", "--reason: 'bored' is not a reason"),
        (
            "recruited",
            "in_work",
            "--reason: a reason goes only with ineligible, complaint, declined",
        ),
    ],
)
def test_outcome_values_are_checked(ws, outcome, reason, message):
    args = ["outcome", "record", "--invite-ref", R.invite_ref(ws, "p1"), "--outcome", outcome]
    result = cohort(ws, *args, *(["--reason", reason] if reason else []))
    assert result.exit_code == 2 and message in result.output
    assert state_rows(ws, "SELECT count(*) FROM outcomes") == [(0,)]


def test_an_unknown_reference_is_refused(ws):
    result = cohort(ws, "outcome", "record", "--invite-ref", "zzz zzz 5", "--outcome", "replied")
    assert (
        result.exit_code == 2
        and "invitation reference 'ZZZ-ZZZ-5' is not in this workspace's ledger" in result.output
    )


def test_a_mistyped_reference_is_told_apart_from_an_unknown_one(ws):
    ref = R.invite_ref(ws, "p1")
    wrong = ref[:-1] + ("2" if ref[-1] != "2" else "3")
    result = cohort(ws, "outcome", "record", "--invite-ref", wrong, "--outcome", "replied")
    assert result.exit_code == 2
    assert "is mistyped: the check character does not match" in result.output
    assert "not in this workspace" not in result.output


def test_references_are_accepted_as_typed_in_record_and_import(ws, tmp_path):
    ref = R.invite_ref(ws, "p1")
    loose = ref.lower().replace("-", " ")
    result = cohort(ws, "outcome", "record", "--invite-ref", loose, "--outcome", "replied")
    assert result.exit_code == 0, result.output
    r5 = R.invite_ref(ws, "p5")
    sheet = tmp_path / "typed.csv"
    sheet.write_text(f"invite_ref,outcome,reason\n{r5.replace('-', '').lower()},declined,\n")
    assert cohort(ws, "outcome", "import", str(sheet)).exit_code == 0
    assert state_rows(ws, "SELECT invite_ref FROM outcomes ORDER BY invite_ref") == sorted(
        [(ref,), (r5,)]
    )


def test_import_checks_every_row_first_and_records_all_or_nothing(ws, tmp_path):
    r1, r5 = R.invite_ref(ws, "p1"), R.invite_ref(ws, "p5")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"Invite_Ref,Outcome,Reason\n{r1},replied,\n{r5},ineligible,\nNOPE,replied,\n")
    result = cohort(ws, "outcome", "import", str(bad))
    assert result.exit_code == 2
    assert f"{bad} row 3, column reason: an ineligible outcome needs a reason" in result.output
    # a reference that cannot be one (NOPE) is found in the same first pass
    assert "(and 1 more problems; nothing was recorded)" in result.output
    assert state_rows(ws, "SELECT count(*) FROM outcomes") == [(0,)]
    good = tmp_path / "good.csv"
    good.write_text(
        f"invite_ref,outcome,reason\n{r1},replied,\n{r1},eligible,\n{r5},declined,in_work\n"
    )
    assert (
        "3 outcome(s) recorded; 1 person(s) put on the do-not-contact list."
        in cohort(ws, "outcome", "import", str(good)).output
    )
    again = cohort(ws, "outcome", "import", str(good))
    assert "0 outcome(s) recorded, 3 already recorded." in again.output
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(f"invite_ref,outcome\n{r1},recruited\nZZZ-ZZZ-5,replied\nNOPE,replied\n")
    result = cohort(ws, "outcome", "import", str(unknown))
    assert result.exit_code == 2
    assert (
        f"{unknown} row 4, column invite_ref: invite reference 'NOPE' has 4 letters"
        in result.output
    )
    unknown.write_text(f"invite_ref,outcome\n{r1},recruited\nZZZ-ZZZ-5,replied\n")
    result = cohort(ws, "outcome", "import", str(unknown))
    assert (
        result.exit_code == 2
        and f"{unknown} row 3, column invite_ref: 'ZZZ-ZZZ-5' is not in this workspace's ledger"
        in result.output
    )
    assert state_rows(ws, "SELECT count(*) FROM outcomes") == [(3,)]


def test_import_needs_the_columns(ws, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("ref,what\nA,replied\n")
    result = cohort(ws, "outcome", "import", str(path))
    assert (
        result.exit_code == 2
        and f"{path} row 1: missing column invite_ref, outcome" in result.output
    )
