"""The DuckDB engine and the independent polars oracle agree on random small extracts:
the same patients invited, everyone else stopped at the same first rule."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import oracle
from .world import CODES, INSTEP, PATIENT_DEFAULTS, build, parse_table, stopped_by_key, study

INDEX_DATES = [
    dt.date(2024, 6, 30),
    dt.date(2024, 2, 29),
    dt.date(2023, 2, 28),
    dt.date(2023, 3, 1),
]
# Days before D at the rules' edges: after D, D itself, spans of 89/90/91 days,
# the first day, last day and day outside the 365- and 730-day windows.
EDGE_DAYS = [-1, 0, 1, 89, 90, 91, 275, 276, 364, 365, 366, 640, 641, 729, 730, 731]
CODED = parse_table(CODES)


def codes_of(*codelists: str) -> list[tuple[str, str]]:
    return [(r["coding_system"], r["code"]) for r in CODED if r["codelist"] in codelists]


# Decoys: lower-case Read v2 codes, an unknown code, an opt-out code in the wrong system.
DECOYS = [("readv2", "16c.."), ("readv2", "1m52."), ("snomedct", "999999999"), ("ctv3", "9Nu0.")]
MED_DECOYS = [("bnf", "0408010g0aaabab"), ("dmd", "1")]
NHS_POOL = ["9434765919", "9434765870", "4010232137"]
PRACTICES = ["A00001", "B00002"]

SCHEMAS = {
    "patients": {
        **{k: pl.String for k in PATIENT_DEFAULTS},
        "nhs_number_valid": pl.Boolean,
        "postcode_valid": pl.Boolean,
        "date_of_birth": pl.Date,
        "registration_date": pl.Date,
        "deregistration_date": pl.Date,
        "date_of_death": pl.Date,
    },
    "events": {
        "practice_code": pl.String,
        "patient_id": pl.String,
        "event_date": pl.Date,
        "coding_system": pl.String,
        "code": pl.String,
    },
    "medications": {
        "practice_code": pl.String,
        "patient_id": pl.String,
        "issue_date": pl.Date,
        "coding_system": pl.String,
        "code": pl.String,
    },
    "run_practices": {"practice_code": pl.String, "index_date": pl.Date},
    "codelist_codes": {
        k: pl.String for k in ("codelist", "version", "coding_system", "code", "term", "category")
    },
    "prior_invitations": {k: pl.String for k in ("practice_code", "patient_id", "nhs_number")},
    "do_not_contact": {k: pl.String for k in ("practice_code", "patient_id", "nhs_number")},
    "screened_out": {k: pl.String for k in ("practice_code", "patient_id", "nhs_number")},
}


def offset(day: dt.date, n: int) -> dt.date:
    return day - dt.timedelta(days=n)


# Strategies are built once here (building them inside each draw costs more than the study).
EDGE = st.sampled_from(EDGE_DAYS)
DAYS_BEFORE = st.one_of(EDGE, EDGE, EDGE, st.integers(-30, 800))
C1_CODE = st.sampled_from(codes_of("chronic_pain_conditions") + DECOYS[:1])
C2_CODE = st.sampled_from(codes_of("chronic_pain_diagnosis") + DECOYS[1:2])
MEDICINE = st.sampled_from(codes_of("pain_medications"))
MED_CODE = st.one_of(MEDICINE, MEDICINE, MEDICINE, MEDICINE, st.sampled_from(MED_DECOYS))
EMPLOYMENT_CODE = st.sampled_from(codes_of("employment_status"))
EXCLUSION_CODE = st.sampled_from(codes_of("dementia", "palliative_care"))
OPT_OUT_CODE = st.sampled_from(codes_of("research_opt_out") + DECOYS[3:])
WITHDRAWN_CODE = st.sampled_from(codes_of("research_opt_out_withdrawn"))
ANY_CODE = st.sampled_from(codes_of(*{r["codelist"] for r in CODED}) + DECOYS + MED_DECOYS)
STORY = st.sampled_from(
    ["c1", "c1", "c2", "c3", "c3", "employment", "employment", "opt_out", "exclusion", "noise"]
)
NEAR = st.sampled_from(
    [-1, 0, 0, 1]
)  # a second record the day before, the same day or the day after
BIRTH_KIND = st.sampled_from(["edge", "feb29", "any"] + ["working"] * 4)
LEAP_YEAR = st.sampled_from([1960, 1976, 2004, 2008])
ANY_BIRTH = st.dates(dt.date(1945, 1, 1), dt.date(2012, 12, 31))
NHS = st.none() | st.sampled_from(NHS_POOL)
POSTCODE = st.sampled_from([("SO16 6YD", True)] * 6 + [(None, False), ("XX", False)])
ADDRESS = st.sampled_from(["1 High Street"] * 6 + [None, " "])
REGISTERED = st.sampled_from([5000] * 10 + [1, 0, -1])
RARE_EDGE = st.sampled_from([None] * 12 + [1, 0, -1])  # days before D, mostly none
# The earliest record of a C1 or C3 story: the window's first day, the day outside
# it, the day after; or 90 days before D, so the next record falls on D or beside it.
C1_FIRST = st.sampled_from([90, 729, 730, 731])
C3_FIRST = st.sampled_from([90, 364, 365, 366])
SPAN = st.sampled_from([89, 90, 91])
NHS_ENTRY = st.sampled_from(NHS_POOL).map(
    lambda n: {"practice_code": None, "patient_id": None, "nhs_number": f"{n[:3]} {n[3:6]} {n[6:]}"}
)


@st.composite
def birth(draw, day: dt.date) -> dt.date:
    kind = draw(BIRTH_KIND)
    if kind == "feb29":
        return dt.date(draw(LEAP_YEAR), 2, 29)
    if kind == "working":
        return offset(day, draw(st.integers(20 * 365, 60 * 365)))
    if kind == "any":
        return draw(ANY_BIRTH)
    years = draw(st.sampled_from([18, 65]))
    try:
        anniversary = day.replace(year=day.year - years)
    except ValueError:
        anniversary = dt.date(day.year - years, 2, 28)
    return anniversary + dt.timedelta(days=draw(st.integers(-2, 2)))


def maybe_offset(day: dt.date, n: int | None) -> dt.date | None:
    return None if n is None else offset(day, n)


@st.composite
def patient(draw, practice: str, pid: str, day: dt.date) -> dict:
    nhs = draw(NHS)
    postcode = draw(POSTCODE)
    return {
        **PATIENT_DEFAULTS,
        "practice_code": practice,
        "patient_id": pid,
        "nhs_number": nhs,
        "nhs_number_valid": None if nhs is None else draw(st.booleans()),
        "date_of_birth": draw(birth(day)),
        "address_line_1": draw(ADDRESS),
        "postcode": postcode[0],
        "postcode_valid": postcode[1],
        "registration_date": offset(day, draw(REGISTERED)),
        "deregistration_date": maybe_offset(day, draw(RARE_EDGE)),
        "date_of_death": maybe_offset(day, draw(RARE_EDGE)),
    }


@st.composite
def story(draw) -> list[tuple[int, tuple[str, str]]]:
    """A few records (days before D, code) aimed at one rule's edges: a window's
    first day, last day or the day outside it; spans of 89, 90 or 91 days;
    same-day pairs; records after D; codes that must not match."""
    kind = draw(STORY)
    first = draw(C3_FIRST if kind == "c3" else C1_FIRST)
    second = first - draw(SPAN)
    if kind == "c1":
        return [(first, draw(C1_CODE)), (second, draw(C1_CODE))]
    if kind == "c2":
        return [(draw(DAYS_BEFORE), draw(C2_CODE))]
    if kind == "c3":
        middle = draw(st.integers(second + 1, first - 1))
        return [(first, draw(MEDICINE)), (second, draw(MEDICINE)), (middle, draw(MED_CODE))]
    if kind == "employment":
        day = draw(DAYS_BEFORE)
        return [(day, draw(EMPLOYMENT_CODE)), (day + draw(NEAR), draw(EMPLOYMENT_CODE))]
    if kind == "opt_out":
        day = draw(DAYS_BEFORE)
        return [(day, draw(OPT_OUT_CODE)), (day + draw(NEAR), draw(WITHDRAWN_CODE))]
    if kind == "exclusion":
        return [(draw(DAYS_BEFORE), draw(EXCLUSION_CODE))]
    return [(draw(DAYS_BEFORE), draw(ANY_CODE)) for _ in range(draw(st.integers(1, 3)))]


@st.composite
def records(draw, practice: str, pid: str, day: dt.date) -> tuple[list[dict], list[dict]]:
    """A patient's events and issues: one to three stories."""
    coded = [record for _ in range(draw(st.integers(1, 3))) for record in draw(story())]
    key = {"practice_code": practice, "patient_id": pid}
    medicine = {"dmd", "bnf"}
    events = [
        {**key, "event_date": offset(day, n), "coding_system": s, "code": c}
        for n, (s, c) in coded
        if s not in medicine
    ]
    meds = [
        {**key, "issue_date": offset(day, n), "coding_system": s, "code": c}
        for n, (s, c) in coded
        if s in medicine
    ]
    return events, meds


@st.composite
def extract(draw) -> dict[str, list[dict]]:
    practices = PRACTICES[: draw(st.integers(1, 2))]
    days = {p: draw(st.sampled_from(INDEX_DATES)) for p in practices}
    tables: dict[str, list[dict]] = {"patients": [], "events": [], "medications": []}
    for practice in practices:
        for i in range(draw(st.integers(1, 12))):
            pid = f"p{i}"
            tables["patients"].append(draw(patient(practice, pid, days[practice])))
            events, meds = draw(records(practice, pid, days[practice]))
            tables["events"] += events
            tables["medications"] += meds
    tables["run_practices"] = [{"practice_code": p, "index_date": d} for p, d in days.items()]
    tables["prior_invitations"] = draw(listing(tables["patients"]))
    tables["do_not_contact"] = draw(listing(tables["patients"]))
    tables["screened_out"] = draw(listing(tables["patients"]))
    return tables


@st.composite
def listing(draw, patients: list[dict]) -> list[dict]:
    """Entries naming a practice + patient id, or an NHS number (spaced as people type it)."""
    entries = []
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            p = draw(st.sampled_from(patients))
            entries.append(
                {
                    "practice_code": p["practice_code"],
                    "patient_id": p["patient_id"],
                    "nhs_number": None,
                }
            )
        else:
            entries.append(draw(NHS_ENTRY))
    return entries


def verdict_sql(study) -> str:
    """Per patient, the criteria that hold and each built-in step that stops them."""
    cases = [f"CASE WHEN \"{c.name}\" THEN '{c.name}' END" for c in study.criteria]
    cases += [
        f"CASE WHEN {b} THEN '{b}' END"
        for b in ("already_invited", "do_not_contact", "screened_out")
    ]
    cases.append("CASE WHEN dq_reason IS NOT NULL THEN 'data_quality' END")
    return f"SELECT practice_code, patient_id, list_filter([{', '.join(cases)}], lambda x: x IS NOT NULL) FROM population"


def verdicts(con, study=INSTEP) -> dict[tuple[str, str], frozenset[str]]:
    """Every criterion that holds and every built-in that stops, from population's flags."""
    return {(p, i): frozenset(rules) for p, i, rules in con.execute(verdict_sql(study)).fetchall()}


def frames(tables: dict[str, list[dict]]) -> dict[str, pl.DataFrame]:
    out = {
        name: pl.DataFrame(rows, schema=SCHEMAS[name], orient="row")
        if rows
        else pl.DataFrame(schema=SCHEMAS[name])
        for name, rows in tables.items()
    }
    out["codelist_codes"] = pl.DataFrame(parse_table(CODES), schema=SCHEMAS["codelist_codes"])
    return out


def project(rows: list[dict], schema: dict) -> list[dict]:
    return [{k: r[k] for k in schema} for r in rows]


CON = build(patients=[])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extract())
def test_engine_and_oracle_stop_everyone_at_the_same_rule(tables):
    con = build(
        patients=tables["patients"],
        events=tables["events"],
        medications=tables["medications"],
        index_dates={r["practice_code"]: r["index_date"] for r in tables["run_practices"]},
        prior=tables["prior_invitations"],
        dnc=tables["do_not_contact"],
        screened=tables["screened_out"],
        pain=False,
        con=CON,
    )
    engine = stopped_by_key(con)
    assert engine == oracle.decide(frames(tables), INSTEP)
    # Every criterion's flag, not only the first step that failed: later criteria
    # are checked even for patients an earlier step stopped.
    assert verdicts(con) == oracle.verdicts(frames(tables), INSTEP)


def test_oracle_applies_the_age_band():
    """The oracle itself follows the study's numbers: 18 on D is in, with min_age 19 out."""
    day = dt.date(2024, 6, 30)
    person = {**PATIENT_DEFAULTS, "patient_id": "p0", "date_of_birth": dt.date(2006, 6, 30)}
    tables = {
        "patients": [person],
        "events": [
            {
                "practice_code": "A00001",
                "patient_id": "p0",
                "event_date": day,
                "coding_system": "snomedct",
                "code": "82423001",
            }
        ],
        "medications": [],
        "run_practices": [{"practice_code": "A00001", "index_date": day}],
        "prior_invitations": [],
        "do_not_contact": [],
        "screened_out": [],
    }
    assert oracle.decide(frames(tables), INSTEP) == {("A00001", "p0"): None}
    older = study(working_age={"min": 19, "max": 64})
    assert oracle.decide(frames(tables), older) == {("A00001", "p0"): "age"}
