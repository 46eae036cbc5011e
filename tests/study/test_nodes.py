"""Spec tests per node type of the study language (docs/study-language.md), table-driven.

Each test writes a small study with the criterion under test as its only
step (besides registered), draws patients and records as ASCII tables at the
rule's edges (D-N-1, D-N, D, D+1; same-day ties; thresholds), and checks the
invited ids; the oracle (tests/study/oracle.py) must agree on every patient.
"""

from __future__ import annotations

import pytest

from pipeline.study.checks import check_study
from pipeline.study.model import build_study

from . import oracle
from .world import CODES, build, days

HBA1C = "\nhba1c                      | 1       | snomedct      | 1003671000000109  | HbA1c level                             |"
NODE_CODES = CODES.rstrip() + HBA1C + "\n"
CODELISTS = {
    alias: {"name": alias, "version": "1"}
    for alias in (
        "chronic_pain_conditions", "chronic_pain_diagnosis", "pain_medications",
        "employment_status", "research_opt_out", "research_opt_out_withdrawn", "hba1c",
    )
}  # fmt: skip
PAIN, PAIN2, MED, HBA1C_CODE = "279039007", "82423001", "42017811000001106", "1003671000000109"
EMPLOYED, UNEMPLOYED, RETIRED = "224363007", "73438004", "105493001"


def probe(criteria: dict, *, require: str = "probe", **more):
    """A study whose steps are: registered, then REQUIRE (criteria given by name)."""
    data = {
        "name": "probe",
        "title": "One criterion under test",
        "codelists": CODELISTS,
        "criteria": {"registered": {"label": "Registered", "registered": True}, **criteria},
        "steps": [{"require": "registered"}, {"require": require}],
        **more,
    }
    problems = check_study(data)
    assert not problems, problems
    return build_study(data)


def decide(con, study) -> set[str]:
    """Invited ids from the engine, checked against the oracle on every patient."""
    from .world import run_study

    run_study(con, study)
    engine = dict(con.execute("SELECT patient_id, stopped_by FROM population").fetchall())
    tables = {
        name: con.sql(f"SELECT * FROM {name}").pl()
        for name in ("patients", "events", "medications", "run_practices", "codelist_codes",
                     "prior_invitations", "do_not_contact", "screened_out")
    }  # fmt: skip
    expected = {key[1]: stop for key, stop in oracle.decide(tables, study).items()}
    assert engine == expected
    return {p for p, stop in engine.items() if stop is None}


def world(patients: str, events: str = "", medications: str = ""):
    return build(
        patients=patients, events=events, medications=medications, codes=NODE_CODES, pain=False
    )


# --- records ------------------------------------------------------------------------


def test_records_window_edges():
    con = world(
        "patient_id\nfirst_day\nday_before\non_d\nafter_d",
        f"""
        patient_id | event_date  | coding_system | code
        first_day  | {days(365)} | snomedct      | {PAIN}
        day_before | {days(366)} | snomedct      | {PAIN}
        on_d       | {days(0)}   | snomedct      | {PAIN}
        after_d    | {days(-1)}  | snomedct      | {PAIN}
        """,
    )
    study = probe(
        {
            "probe": {
                "label": "Pain within a year",
                "records": {"codelist": "chronic_pain_conditions", "within_days": 365},
            }
        }
    )
    assert decide(con, study) == {"first_day", "on_d"}


def test_records_ever_counts_every_record_on_or_before_d():
    con = world(
        "patient_id\nlong_ago\nafter_d",
        f"""
        patient_id | event_date | coding_system | code
        long_ago   | 1990-01-01 | snomedct      | {PAIN}
        after_d    | {days(-1)} | snomedct      | {PAIN}
        """,
    )
    study = probe(
        {"probe": {"label": "Pain ever", "records": {"codelist": "chronic_pain_conditions"}}}
    )
    assert decide(con, study) == {"long_ago"}


@pytest.mark.parametrize(
    ("distinct", "expected"), [(False, {"same_day", "two_days"}), (True, {"two_days"})]
)
def test_records_distinct_dates_count_days_not_records(distinct, expected):
    con = world(
        "patient_id\nsame_day\ntwo_days",
        f"""
        patient_id | event_date | coding_system | code
        same_day   | {days(10)} | snomedct      | {PAIN}
        same_day   | {days(10)} | snomedct      | {PAIN}
        two_days   | {days(10)} | snomedct      | {PAIN}
        two_days   | {days(11)} | snomedct      | {PAIN}
        """,
    )
    rule = {
        "codelist": "chronic_pain_conditions",
        "within_days": 30,
        "min_count": 2,
        "distinct_dates": distinct,
    }
    assert decide(con, probe({"probe": {"label": "Twice", "records": rule}})) == expected


def test_records_source_and_category_filters():
    con = world(
        "patient_id\nissued\nrecorded\nunemployed\nemployed",
        f"""
        patient_id | event_date | coding_system | code
        recorded   | {days(5)}  | dmd           | {MED}
        unemployed | {days(5)}  | snomedct      | {UNEMPLOYED}
        employed   | {days(5)}  | snomedct      | {EMPLOYED}
        """,
        f"""
        patient_id | issue_date | coding_system | code
        issued     | {days(5)}  | dmd           | {MED}
        """,
    )
    issued = probe(
        {
            "probe": {
                "label": "Issued",
                "records": {"codelist": "pain_medications", "source": "medications"},
            }
        }
    )
    assert decide(con, issued) == {"issued"}
    jobless = probe(
        {
            "probe": {
                "label": "Unemployed coded",
                "records": {"codelist": "employment_status", "category_in": ["unemployed"]},
            }
        }
    )
    assert decide(con, jobless) == {"unemployed"}


# --- records: unless a later record ------------------------------------------------------


@pytest.mark.parametrize(
    ("same_day", "expected"), [(False, {"same_day", "earlier"}), (True, {"earlier"})]
)
def test_unless_later_strictly_after_or_on_the_same_day_too(same_day, expected):
    con = world(
        "patient_id\nsame_day\nlater\nearlier",
        f"""
        patient_id | event_date | coding_system | code
        same_day   | {days(20)} | snomedct      | 827241000000103
        same_day   | {days(20)} | snomedct      | 827261000000102
        later      | {days(20)} | snomedct      | 827241000000103
        later      | {days(19)} | snomedct      | 827261000000102
        earlier    | {days(20)} | snomedct      | 827241000000103
        earlier    | {days(21)} | snomedct      | 827261000000102
        """,
    )
    rule = {
        "codelist": "research_opt_out",
        "unless_later": {"codelist": "research_opt_out_withdrawn", "same_day": same_day},
    }
    assert decide(con, probe({"probe": {"label": "Opted out", "records": rule}})) == expected


def test_w3_shape_no_employed_record_on_or_after_the_latest_of_them():
    """InStep v2 W3: >= 2 records within 365 days, 90 days apart, and no employment-status
    record of category employed on or after the latest of them."""
    con = world(
        "patient_id\nout\nback_same_day\nback_later\nretired_later\nemployed_before",
        f"""
        patient_id      | event_date  | coding_system | code
        out             | {days(200)} | snomedct      | {PAIN}
        out             | {days(110)} | snomedct      | {PAIN}
        back_same_day   | {days(200)} | snomedct      | {PAIN}
        back_same_day   | {days(110)} | snomedct      | {PAIN}
        back_same_day   | {days(110)} | snomedct      | {EMPLOYED}
        back_later      | {days(200)} | snomedct      | {PAIN}
        back_later      | {days(110)} | snomedct      | {PAIN}
        back_later      | {days(1)}   | snomedct      | {EMPLOYED}
        retired_later   | {days(200)} | snomedct      | {PAIN}
        retired_later   | {days(110)} | snomedct      | {PAIN}
        retired_later   | {days(1)}   | snomedct      | {RETIRED}
        employed_before | {days(200)} | snomedct      | {PAIN}
        employed_before | {days(110)} | snomedct      | {PAIN}
        employed_before | {days(111)} | snomedct      | {EMPLOYED}
        """,
    )
    rule = {
        "codelist": "chronic_pain_conditions", "within_days": 365, "min_count": 2, "min_span_days": 90,
        "unless_later": {"codelist": "employment_status", "category_in": ["employed"], "same_day": True},
    }  # fmt: skip
    assert decide(con, probe({"probe": {"label": "W3-like", "records": rule}})) == {
        "out", "retired_later", "employed_before",
    }  # fmt: skip


# --- latest ------------------------------------------------------------------------------


def test_latest_every_record_on_the_latest_date_counts():
    con = world(
        "patient_id\ntie\nolder_employed\nnewer_employed\noutside\nnone",
        f"""
        patient_id     | event_date  | coding_system | code
        tie            | {days(10)}  | snomedct      | {UNEMPLOYED}
        tie            | {days(10)}  | snomedct      | {EMPLOYED}
        older_employed | {days(20)}  | snomedct      | {EMPLOYED}
        older_employed | {days(10)}  | snomedct      | {UNEMPLOYED}
        newer_employed | {days(20)}  | snomedct      | {UNEMPLOYED}
        newer_employed | {days(10)}  | snomedct      | {EMPLOYED}
        outside        | {days(731)} | snomedct      | {EMPLOYED}
        """,
    )
    study = probe(
        {"employed": {"label": "Latest is employed", "latest": {"codelist": "employment_status", "within_days": 730, "category_in": ["employed"]}},
         "probe": {"label": "Not employed", "not": "employed"}},
    )  # fmt: skip
    assert decide(con, study) == {"older_employed", "outside", "none"}


def test_w1_shape_latest_unemployed_and_none_employed():
    con = world(
        "patient_id\nunemployed\ntie\nnone",
        f"""
        patient_id | event_date | coding_system | code
        unemployed | {days(10)} | snomedct      | {UNEMPLOYED}
        tie        | {days(10)} | snomedct      | {UNEMPLOYED}
        tie        | {days(10)} | snomedct      | {RETIRED}
        """,
    )
    latest = {"codelist": "employment_status", "within_days": 730}
    study = probe({
        "out": {"label": "Latest unemployed", "latest": {**latest, "category_in": ["unemployed"]}},
        "in_work": {"label": "Latest in work", "latest": {**latest, "category_in": ["employed", "retired", "student"]}},
        "not_in_work": {"label": "Not in work", "not": "in_work"},
        "probe": {"label": "W1", "all": ["out", "not_in_work"]},
    })  # fmt: skip
    assert decide(con, study) == {"unemployed"}


# --- value -------------------------------------------------------------------------------


def hba1c(which: str = "latest", operator: str = ">="):
    return probe({"probe": {"label": "HbA1c >= 58", "value": {
        "codelist": "hba1c", "within_days": 365, "which": which, "operator": operator, "threshold": 58}}})  # fmt: skip


def test_value_latest_compared_with_the_threshold():
    con = world(
        "patient_id\nat\nbelow\nolder_high\nlatest_high\ntie_low\noutside\nno_value\nafter_d",
        f"""
        patient_id  | event_date  | coding_system | code         | value
        at          | {days(365)} | snomedct      | {HBA1C_CODE} | 58
        below       | {days(10)}  | snomedct      | {HBA1C_CODE} | 57.9
        older_high  | {days(100)} | snomedct      | {HBA1C_CODE} | 70
        older_high  | {days(10)}  | snomedct      | {HBA1C_CODE} | 50
        latest_high | {days(100)} | snomedct      | {HBA1C_CODE} | 50
        latest_high | {days(10)}  | snomedct      | {HBA1C_CODE} | 70
        latest_high | {days(5)}   | snomedct      | {HBA1C_CODE} |
        tie_low     | {days(10)}  | snomedct      | {HBA1C_CODE} | 70
        tie_low     | {days(10)}  | snomedct      | {HBA1C_CODE} | 40
        outside     | {days(366)} | snomedct      | {HBA1C_CODE} | 90
        no_value    | {days(10)}  | snomedct      | {HBA1C_CODE} |
        after_d     | {days(-1)}  | snomedct      | {HBA1C_CODE} | 90
        """,
    )
    assert decide(con, hba1c()) == {"at", "latest_high"}
    assert decide(con, hba1c("any")) == {"at", "older_high", "latest_high", "tie_low"}
    assert decide(con, hba1c(operator="<")) == {"below", "older_high"}


# --- population nodes and combinations ---------------------------------------------------


def test_sex_and_combinations():
    con = world(
        "patient_id | sex\nwoman | F\nman | M\nunknown | U",
        f"""
        patient_id | event_date | coding_system | code
        man        | {days(5)}  | snomedct      | {PAIN}
        """,
    )
    women = probe({"probe": {"label": "Women", "sex": ["F"]}})
    assert decide(con, women) == {"woman"}
    either = probe({
        "women": {"label": "Women", "sex": ["F"]},
        "pain": {"label": "Pain", "records": {"codelist": "chronic_pain_conditions"}},
        "probe": {"label": "Women or pain", "any": ["women", "pain"]},
    })  # fmt: skip
    assert decide(con, either) == {"woman", "man"}


# --- score and out-of-work evidence -----------------------------------------------------


def test_score_adds_the_points_of_each_criterion_held_and_out_of_work_evidence_is_a_flag():
    con = world(
        "patient_id\nboth\npain_only\nneither",
        f"""
        patient_id | event_date | coding_system | code
        both       | {days(5)}  | snomedct      | {PAIN}
        both       | {days(5)}  | snomedct      | {UNEMPLOYED}
        pain_only  | {days(5)}  | snomedct      | {PAIN}
        """,
    )
    criteria = {
        "pain": {"label": "Pain", "records": {"codelist": "chronic_pain_conditions"}},
        "out": {"label": "Unemployed", "latest": {"codelist": "employment_status", "category_in": ["unemployed"]}},
        "probe": {"label": "Anyone", "registered": True},
    }  # fmt: skip
    study = probe(criteria, score={"pain": 1, "out": 4}, out_of_work_evidence="out")
    assert decide(con, study) == {"both", "pain_only", "neither"}
    scores = dict(
        con.execute("SELECT patient_id, (score, out_of_work_evidence) FROM population").fetchall()
    )
    assert scores == {"both": (5, True), "pain_only": (1, False), "neither": (0, False)}
    required = probe(
        criteria, score={"pain": 1}, out_of_work_evidence="out", require_out_of_work_evidence=True
    )
    assert decide(con, required) == {"both"}
    stopped = dict(con.execute("SELECT patient_id, stopped_by FROM population").fetchall())
    assert stopped["pain_only"] == "no_out_of_work_evidence"


def test_a_study_without_a_score_scores_zero_and_no_evidence_flag():
    con = world("patient_id\np1")
    decide(con, probe({"probe": {"label": "Anyone", "alive": True}}))
    assert con.execute("SELECT score, out_of_work_evidence FROM population").fetchall() == [
        (0, None)
    ]
