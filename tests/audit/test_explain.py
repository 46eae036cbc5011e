"""`cohort explain` answers, for any patient a run considered, why they were or were not invited."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import main

from . import rundb as R


def explain(ws, *args: str) -> str:
    result = CliRunner().invoke(main, ["explain", "--workspace", str(ws.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def by_id(ws, patient_id: str, *more: str) -> str:
    return explain(ws, "--practice", R.PRACTICE, "--patient-id", patient_id, *more)


def test_an_invited_patient_gets_every_rule_with_its_evidence(ws):
    ref = R.invite_ref(ws, "p1")
    text = explain(ws, "--invite-ref", ref)
    assert "Run run1 (published;" in text
    assert "Patient: Mrs Ann Example, practice J82001 patient id p1" in text
    assert "Study: instep (" in text and "index date 2019-06-01" in text
    assert (
        "Codelists: chronic_pain_conditions v1, chronic_pain_diagnosis v1, pain_medications v1, employment_status v2, fit_notes_not_fit v1, out_of_work_benefits v1"
        in text
    )
    assert f"Result: INVITED: every rule held; the letter's reference is {ref}" in text
    assert (
        "✓ Of working age: aged 45 on 2019-06-01 (born 1974-03-02); the study takes 18 to 64"
        in text
    )
    assert (
        "✓ C1 repeated pain conditions held: 2 records within 2 years (730 days) before 2019-06-01"
        in text
    )
    assert (
        "Low back pain (SNOMED CT 279039007), chronic_pain_conditions v1, "
        "recorded 2018-06-01 and 2019-01-15, 7 months (228 days) apart"
    ) in text
    assert (
        "✗ C2 chronic pain recorded did not hold: no record from chronic_pain_diagnosis v1 within 2 years (730 days)"
        in text
    )
    assert (
        "✓ Not known to be in work: no employment status recorded in the 2 years (730 days) before 2019-06-01; "
        "the most recent, Employed (SNOMED CT 224363007), was on 2015-03-01, outside the window"
    ) in text
    assert "stopped here" not in text
    assert f"invitation {ref} (instep, run run1, " in text and "): sent" in text


def test_a_patient_stopped_by_an_employment_code(ws):
    text = by_id(ws, "p2")
    assert (
        "Result: NOT INVITED: the first rule that stopped them was 'Not known to be in work': "
        "the latest employment status within the 2 years (730 days) before 2019-06-01 is "
        "Full-time employment (SNOMED CT 160903007) [employed], on 2019-02-01; "
        "the study excludes employed, retired, student"
    ) in text
    assert "✗ Not known to be in work:" in text and "← stopped here" in text
    assert (
        "Full-time employment (SNOMED CT 160903007), employment_status v2, recorded 2019-02-01"
        in text
    )
    assert "✓ C2 chronic pain recorded held: 1 record within 2 years (730 days)" in text
    assert "no invitation from this workspace" in text


def test_a_patient_stopped_by_age(ws):
    text = by_id(ws, "p3")
    assert (
        "Result: NOT INVITED: the first rule that stopped them was 'Of working age': "
        "aged 16 on 2019-06-01 (born 2003-01-01), outside the study's 18 to 64"
    ) in text
    stopped = [line for line in text.splitlines() if "← stopped here" in line]
    assert stopped == [
        "    ✗ Of working age: aged 16 on 2019-06-01 (born 2003-01-01), outside the study's 18 to 64   ← stopped here"
    ]


def test_a_patient_held_in_quarantine(ws):
    text = by_id(ws, "p4")
    assert (
        "Result: HELD IN QUARANTINE: every rule held, but the record cannot be mailed safely: postcode missing"
        in text
    )
    assert "✗ Not held back for data quality: postcode missing   ← stopped here" in text


def test_records_after_the_index_date_are_said_to_be_ignored(ws):
    text = by_id(ws, "p6")
    assert "(1 coded record dated after the index date were ignored by every rule)" in text
    assert "none recorded at all" in text


def test_by_nhs_number_and_as_json(ws):
    data = json.loads(explain(ws, "--nhs-number", "943 476 5919", "--json"))
    (run,) = data["runs"]
    assert run["patient"]["patient_id"] == "p5" and run["patient"]["surname"] == "Sample"
    assert run["result"] == "invited" and run["stopped_by"] is None
    assert [r["rule"] for r in run["rules"]][:4] == [
        "not_registered",
        "not_alive",
        "age",
        "no_chronic_pain",
    ]
    assert all(r["held"] for r in run["rules"])
    assert [c["held"] for c in run["rules"][3]["routes"]] == [False, True, False]
    assert run["run"]["codelists"][3]["name"] == "employment_status"


def test_explain_writes_nothing_to_the_log(ws):
    before = ws.audit_path.read_bytes()
    by_id(ws, "p1")
    assert ws.audit_path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--nhs-number", "401 023 2137"],
            "no patient with that NHS number is in any run of this workspace",
        ),
        (
            ["--practice", "J82001", "--patient-id", "nobody"],
            "practice J82001 patient id 'nobody' is not in any run",
        ),
        (
            ["--invite-ref", "aaa bbb w"],
            "invitation reference 'AAA-BBB-W' is not in this workspace's ledger",
        ),
        (["--invite-ref", "AAA-BBB-C"], "is mistyped: the check character does not match"),
        (["--practice", "J82001"], "give --practice and --patient-id together"),
        (["--nhs-number", "123"], "--nhs-number: not a valid NHS number"),
        (
            ["--practice", "J82001", "--patient-id", "p1", "--run", "run9"],
            "--run run9: no such run",
        ),
    ],
)
def test_one_line_errors_that_never_repeat_an_nhs_number(ws, args, message):
    result = CliRunner().invoke(main, ["explain", "--workspace", str(ws.root), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "4010232137" not in result.output and "401 023 2137" not in result.output


def test_a_rolled_back_letter_is_said_to_be_withdrawn(ws):
    ref = R.invite_ref(ws, "p1")
    rolled = CliRunner().invoke(
        main, ["rollback", "run1", "--workspace", str(ws.root), "--reason", "wrong date"]
    )
    assert rolled.exit_code == 0, rolled.output
    text = explain(ws, "--invite-ref", ref)
    assert (
        f"INVITED, THEN WITHDRAWN: every rule held (reference {ref}), but the run was rolled back"
        in text
    )
    assert f"invitation {ref} (instep, run run1, " in text and "withdrawn (run rolled back)" in text


def test_the_ranking_says_score_rank_and_that_there_was_no_limit(ws):
    text = by_id(ws, "p1")
    assert "Ranking: score 0; ranked " in text and " of 3 at practice J82001" in text
    assert "the run had no capacity limit" in text


def test_a_deferred_patient_is_told_their_score_rank_and_the_capacity(tmp_path, html_letters_only):
    from pipeline.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws")
    people = [R.patient(f"q{i}") for i in range(3)]
    events = [R.event(f"q{i}", "2019-01-01", "82423001") for i in range(3)]
    R.make_run(ws, "run1", patients=people, events=events, capacity=2)
    texts = {p["patient_id"]: by_id(ws, p["patient_id"]) for p in people}
    last = next(pid for pid, text in texts.items() if "ranked 3 of 3" in text)
    assert "beyond the practice's capacity of 2 letters per run, so deferred" in texts[last]
    assert "NOT INVITED IN THIS RUN" in texts[last]
    within = [t for pid, t in texts.items() if pid != last]
    assert all("within the practice's capacity of 2 letters per run" in t for t in within)
