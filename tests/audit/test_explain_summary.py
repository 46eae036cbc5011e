"""`cohort explain` for a complaints handler: a short summary first, months and years, NHS
numbers spaced 3 3 4, the run that decided in full and every other run on one line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline.audit import outcomes
from pipeline.audit.explain_summary import duration, humanise, nhs_spaced
from pipeline.cli import main

from . import rundb as R
from .conftest import EVENTS, PATIENTS


def explain(ws, *args: str) -> str:
    result = CliRunner().invoke(main, ["explain", "--workspace", str(ws.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def short(text: str) -> list[str]:
    """The sentences of the 'In short:' block, unwrapped."""
    block = text.split("\n\n")[0].splitlines()
    assert block[0] == "In short:"
    return [s.strip() + "." for s in " ".join(line.strip() for line in block[1:]).split(". ") if s]


def test_summary_of_an_invited_patient_then_what_happened(ws):
    ref = R.invite_ref(ws, "p5")
    outcomes.record_many(ws, [outcomes.Outcome(ref, "complaint", "in_work")], source="test")
    text = explain(ws, "--invite-ref", ref.lower().replace("-", " "), "--summary")
    said = short(text)
    assert len(said) == 3 and text.count("\n") <= 8
    assert said[0].startswith("Mrs Beth Sample (NHS number ")
    assert "was sent an invitation to the instep study in the run of" in said[0] and ref in said[0]
    assert said[1].startswith(
        "Their record met every check the study makes, on the records up to 2019-06-01:"
    )
    assert "with chronic pain (any route); not known to be in work" in said[1]
    assert "already invited" not in said[1]  # the built-in final steps are not read out
    assert said[2].startswith("Since then: complaint (in work) on ")
    assert "they are on the do-not-contact list, so no later letter will go to them." in said[2]
    assert "Rules, in the study's order" not in text  # --summary is the summary only


def test_summary_of_a_patient_not_invited_names_the_check(ws):
    text = explain(ws, "--practice", R.PRACTICE, "--patient-id", "p2")
    said = short(text)
    assert len(said) == 2 and "was not invited to the instep study" in said[0]
    assert said[1].startswith(
        "They were not invited because of the check “Not known to be in work”: the latest employment "
        "status within the 2 years (730 days) before 2019-06-01 is Full-time employment"
    )
    assert text.index("In short:") < text.index("Rules, in the study's order:")


def test_nhs_numbers_are_spaced_and_durations_in_months_and_years(ws):
    text = explain(ws, "--practice", R.PRACTICE, "--patient-id", "p5")
    spaced = nhs_spaced(R.VALID_NHS)
    assert f"NHS number {spaced}" in text and R.VALID_NHS not in text
    assert "within 2 years (730 days)" in text and "1 year (365 days)" in text
    assert " 730 days before" not in text.replace("(730 days) before", "")


def test_later_runs_are_one_line_each(ws):
    R.make_run(ws, "run2", patients=PATIENTS, events=EVENTS)
    text = explain(ws, "--practice", R.PRACTICE, "--patient-id", "p1")
    assert text.count("Rules, in the study's order:") == 1
    assert "Run run1 (published;" in text  # the run that wrote to them, in full
    others = text.split("Other runs that considered them")[1].split("\n\n")[0].splitlines()[1:]
    assert len(others) == 1 and others[0].startswith("  Run run2 (")
    assert "already invited" in others[0]


def test_json_carries_the_summary(ws):
    data = json.loads(explain(ws, "--practice", R.PRACTICE, "--patient-id", "p2", "--json"))
    assert len(data["summary"]) == 2 and data["runs"]


def test_durations():
    assert [duration(d) for d in (45, 60, 90, 228, 365, 730)] == [
        "45 days", "2 months", "3 months", "7 months", "1 year", "2 years",
    ]  # fmt: skip
    assert (
        humanise("within 89 days, 90 days apart")
        == "within 3 months (89 days), 3 months (90 days) apart"
    )
    assert humanise("3 days") == "3 days" and nhs_spaced("9434765919") == "943 476 5919"
