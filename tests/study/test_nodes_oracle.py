"""Every node type under Hypothesis: a study that uses all of them (sex, age, records with
distinct dates and 'unless a later record', latest, value latest and any, all, any,
not, a score) judged by the engine and by the oracle on random small extracts with
records at the rules' edges: the same first stop, the same flag for every criterion,
the same score, for every patient."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import oracle
from .test_nodes import HBA1C_CODE, NODE_CODES, probe
from .world import INDEX_DATE, PATIENT_DEFAULTS, build, run_study

CODES = [
    ("snomedct", "279039007"), ("snomedct", "82423001"), ("snomedct", "224363007"),
    ("snomedct", "73438004"), ("snomedct", "105493001"), ("snomedct", "827241000000103"),
    ("snomedct", "827261000000102"), ("snomedct", HBA1C_CODE), ("snomedct", HBA1C_CODE),
    ("snomedct", HBA1C_CODE), ("readv2", "16C2."),
]  # fmt: skip
DAYS = st.sampled_from([-1, 0, 1, 29, 30, 31, 89, 90, 91, 364, 365, 366, 729, 730, 731])
VALUES = st.sampled_from([None, 47.9, 48.0, 48.1, 58.0, 70.0])
STUDY = probe(
    {
        "women": {"label": "Women", "sex": ["F"]},
        "adults": {"label": "30 to 60", "age": {"min": 30, "max": 60}},
        "pain": {"label": "Pain on 2 dates 30 apart in a year", "records": {
            "codelist": "chronic_pain_conditions", "within_days": 365, "min_count": 2,
            "min_span_days": 30, "distinct_dates": True}},
        "diagnosed": {"label": "Chronic pain ever", "records": {"codelist": "chronic_pain_diagnosis"}},
        "out": {"label": "Unemployed, no job since", "records": {
            "codelist": "employment_status", "within_days": 730, "category_in": ["unemployed"],
            "unless_later": {"codelist": "employment_status", "category_in": ["employed"], "same_day": True}}},
        "opted_out": {"label": "Opted out", "records": {
            "codelist": "research_opt_out", "unless_later": {"codelist": "research_opt_out_withdrawn"}}},
        "working": {"label": "Latest is in work", "latest": {
            "codelist": "employment_status", "within_days": 730, "category_in": ["employed", "retired"]}},
        "high": {"label": "Latest HbA1c >= 48", "value": {
            "codelist": "hba1c", "within_days": 365, "operator": ">=", "threshold": 48}},
        "ever_high": {"label": "Any HbA1c > 58", "value": {
            "codelist": "hba1c", "within_days": 730, "which": "any", "operator": ">", "threshold": 58}},
        "either": {"label": "Pain or diagnosed", "any": ["pain", "diagnosed"]},
        "not_working": {"label": "Not in work", "not": "working"},
        "probe": {"label": "Everything", "all": ["adults", "either", "not_working"]},
    },
    score={"out": 4, "high": 2, "women": 1},
    out_of_work_evidence="out",
)  # fmt: skip


@st.composite
def extract(draw):
    n = draw(st.integers(1, 6))
    patients = [
        {**PATIENT_DEFAULTS, "patient_id": f"p{i}", "sex": draw(st.sampled_from("FM")),
         "date_of_birth": INDEX_DATE - dt.timedelta(days=draw(st.sampled_from([29, 30, 45, 60, 61])) * 365 + draw(st.integers(-3, 3)))}
        for i in range(n)
    ]  # fmt: skip
    events = []
    for _ in range(draw(st.integers(0, 4 * n))):
        system, code = draw(st.sampled_from(CODES))
        event = {
            "practice_code": "A00001", "patient_id": f"p{draw(st.integers(0, n - 1))}",
            "event_date": INDEX_DATE - dt.timedelta(days=draw(DAYS)),
            "coding_system": system, "code": code, "value": draw(VALUES),
        }  # fmt: skip
        events.append(event)
        if draw(st.booleans()):  # a second record the same day: same code or another
            other = draw(st.sampled_from([(system, code)] * 6 + CODES))
            events.append(
                {**event, "coding_system": other[0], "code": other[1], "value": draw(VALUES)}
            )
    return patients, events


CON = build(patients=[], codes=NODE_CODES, pain=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extract())
def test_engine_and_oracle_agree_on_every_node_type(drawn):
    patients, events = drawn
    con = build(patients=patients, events=events, codes=NODE_CODES, pain=False, con=CON)
    run_study(con, STUDY)
    tables = {
        name: con.sql(f"SELECT * FROM {name}").pl()
        for name in ("patients", "events", "medications", "run_practices", "codelist_codes",
                     "prior_invitations", "do_not_contact", "screened_out")
    }  # fmt: skip
    names = [c.name for c in STUDY.criteria]
    cols = ", ".join(f'"{n}"' for n in names)
    engine = {
        row[0]: (row[1], {n for n, v in zip(names, row[3:], strict=True) if v}, row[2])
        for row in con.execute(
            f"SELECT patient_id, stopped_by, score, {cols} FROM population"
        ).fetchall()
    }
    held = oracle.verdicts(tables, STUDY)
    expected = {
        key[1]: (
            oracle.first_stop(STUDY, found),
            set(found) & set(names),
            sum(points for name, points in STUDY.score if name in found),
        )
        for key, found in held.items()
    }
    assert engine == expected
