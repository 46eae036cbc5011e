"""`cohort explain` and the evidence the run stored say the same thing, for every patient.

One run over patients that exercise every InStep step (routes at and beyond
their window edges, employment codes, dementia, palliative care, an opt-out with
and without a later withdrawal, a do-not-contact entry, a quarantine). For every
patient in its population: the verdict is the run's stopped_by, every step's
✓/✗ is the run's flag, and every coded evidence row stored for the patient is
shown, with its date, under the criterion it belongs to. The run stores evidence
for the invited and quarantined; anyone else's is worked out on demand by the same
compiled SQL (pipeline/study/ondemand.py), and explain shows that.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from pipeline.audit.explain import gather_run
from pipeline.audit.explain_rules import day
from pipeline.audit.explain_text import describe_run
from pipeline.audit.identity import Person
from pipeline.audit.runs import list_runs
from pipeline.study.ondemand import patient_evidence
from pipeline.workspace import Workspace

from . import rundb as R

E = R.event
PATIENTS = [R.patient(f"q{i}") for i in range(1, 13)] + [
    R.patient("q13", postcode=None, postcode_valid=False),
    R.patient("q14", date_of_birth=dt.date(1950, 1, 1)),
]
EVENTS = [
    E("q1", "2017-06-01", "279039007"), E("q1", "2017-08-30", "279039007"),  # C1 from the window's first day
    E("q2", "2017-05-31", "279039007"), E("q2", "2019-01-01", "279039007"),  # one a day outside C1's window
    E("q3", "2019-01-01", "82423001"), E("q3", "2019-05-01", "73438004"),  # C2, unemployed
    E("q4", "2019-01-01", "82423001"), E("q4", "2019-05-01", "73438004"),
    E("q4", "2019-05-01", "224363007"),  # employed on the same latest day: in work
    E("q5", "2019-01-01", "82423001"), E("q5", "2010-01-01", "52448006"),  # dementia
    E("q6", "2019-01-01", "82423001"), E("q6", "2019-06-01", "103735009"),  # palliative on D
    E("q7", "2019-01-01", "82423001"), E("q7", "2018-01-01", "827241000000103"),  # opt-out...
    E("q7", "2018-01-01", "827261000000102"),  # ...withdrawn the same day: still out
    E("q8", "2019-01-01", "82423001"), E("q8", "2018-01-01", "827241000000103"),
    E("q8", "2018-02-01", "827261000000102"),  # withdrawn later: invited
    E("q9", "2019-01-01", "82423001"), E("q9", "2019-06-02", "52448006"),  # dementia after D
    E("q10", "2019-01-01", "105493001"),  # retired, no pain
    E("q13", "2019-01-01", "82423001"),
    E("q14", "2019-01-01", "82423001"),
]  # fmt: skip
MEDICATIONS = [
    (R.PRACTICE, "q11", dt.date(2018, 7, 1), "dmd", "42017811000001106"),
    (R.PRACTICE, "q11", dt.date(2018, 12, 1), "dmd", "42017811000001106"),
    (R.PRACTICE, "q11", dt.date(2019, 5, 1), "dmd", "42017811000001106"),  # C3
    (R.PRACTICE, "q12", dt.date(2019, 5, 1), "dmd", "42017811000001106"),  # one issue only
]


@pytest.fixture(scope="module")
def run(tmp_path_factory, html_letters_only):
    ws = Workspace.open(tmp_path_factory.mktemp("agree") / "ws")
    R.make_run(ws, "run1", patients=PATIENTS, events=EVENTS, medications=MEDICATIONS)
    (info,) = list_runs(ws)
    return info


def stored(info, table: str) -> list[dict]:
    con = duckdb.connect(str(info.db_path), read_only=True)
    try:
        cur = con.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def explained(info, patient_id: str) -> dict:
    person = Person(practice_code=R.PRACTICE, patient_id=patient_id)
    (facts,) = gather_run(info, person)
    return describe_run(facts)


def shown(rule: dict) -> str:
    lines = [rule["text"], *rule["evidence"]]
    for sub in rule.get("routes", []):
        lines += [sub["text"], *sub["evidence"]]
    return "\n".join(lines)


def test_every_patient_explain_says_what_the_run_stored(run):
    population = stored(run, "population")
    evidence = stored(run, "evidence")
    steps = sorted(stored(run, "study_steps"), key=lambda s: s["position"])
    tree = json.loads(stored(run, "study_definition")[0]["tree"])
    assert len(population) == len(PATIENTS)
    for pop in population:
        said = explained(run, pop["patient_id"])
        assert said["stopped_by"] == pop["stopped_by"]
        assert said["result"] == ("invited" if pop["invited"] else said["result"])
        rules = {r["rule"]: r for r in said["rules"]}
        assert list(rules) == [s["stop"] for s in steps]
        for s in steps:
            if s["criterion"]:
                assert rules[s["stop"]]["held"] == (pop[s["criterion"]] != s["exclude"]), s
        parts = {p["rule"]: p for p in said["score"]}
        mine = [e for e in evidence if e["patient_id"] == pop["patient_id"]]
        mine = mine or patient_evidence(
            run.db_path, tree, practice_code=R.PRACTICE, patient_id=pop["patient_id"]
        )
        for e in (e for e in mine if e["codelist"]):
            owner = next(
                (s for s in steps if s["criterion"] and _covers(run, s["criterion"], e["rule"])),
                None,
            )
            # Evidence of a criterion no step uses belongs to one the study scores.
            part = (
                owner
                and rules[owner["stop"]]
                or next(
                    p
                    for p in parts.values()
                    if e["rule"] in [p["rule"], *(r["rule"] for r in p["routes"])]
                )
            )
            assert day(e["record_date"]) in shown(part), (pop["patient_id"], e)
        for name, part in parts.items():
            assert part["held"] == bool(pop[name]), (pop["patient_id"], name)
        points = sum(p["points"] for p in parts.values() if p["held"] and p["points"])
        assert points == pop["score"], pop["patient_id"]


def _covers(info, criterion: str, rule: str) -> bool:
    """Whether step criterion CRITERION shows the evidence of criterion RULE (itself,
    a member of its any/all, or the criterion its 'not' negates)."""
    criteria = {c["name"]: c for c in stored(info, "study_criteria")}
    if criterion == rule:
        return True
    kind = criteria[criterion]["kind"]
    definition = json.loads(criteria[criterion]["definition"])
    members = definition["of"] if kind in ("any", "all", "not") else []
    members = [members] if isinstance(members, str) else members
    return rule in members


def test_the_decisions_are_those_of_the_spec(run):
    decided = {p["patient_id"]: p["stopped_by"] for p in stored(run, "population")}
    assert decided == {
        "q1": None, "q2": "no_chronic_pain", "q3": None, "q4": "in_work", "q5": "dementia",
        "q6": "palliative", "q7": "opt_out", "q8": None, "q9": None, "q10": "no_chronic_pain",
        "q11": None, "q12": "no_chronic_pain", "q13": "data_quality", "q14": "age",
    }  # fmt: skip


def test_a_count_in_a_sentence_is_the_number_of_rows_stored(run):
    said = explained(run, "q11")
    c3 = next(r for r in said["rules"][3]["routes"] if r["rule"] == "c3")
    assert c3["held"] and "3 issues within 365 days before 2019-06-01" in c3["text"]
    opt = next(r for r in explained(run, "q7")["rules"] if r["rule"] == "opt_out")
    assert not opt["held"] and "2018-01-01" in opt["text"]
    withdrawn = next(r for r in explained(run, "q8")["rules"] if r["rule"] == "opt_out")
    assert (
        withdrawn["held"]
        and "followed by research_opt_out_withdrawn v1 on 2018-02-01" in withdrawn["text"]
    )
