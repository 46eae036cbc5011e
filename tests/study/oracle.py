"""An independent re-implementation of the InStep rules in plain polars and Python.

It shares no code or SQL with the engine (pipeline/study/): only the input
tables and the study's numbers. test_study_oracle.py checks that both invite
the same patients, and stop everyone else at the same first rule.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import polars as pl

ORDER = (
    "not_registered",
    "not_alive",
    "age",
    "no_chronic_pain",
    "in_work",
    "dementia",
    "palliative",
    "opt_out",
    "already_invited",
    "do_not_contact",
    "screened_out",
    "data_quality",
)

ROUTES = (
    ("c1", "chronic_pain_conditions"),
    ("c2", "chronic_pain_diagnosis"),
    ("c3", "pain_medications"),
)


def age_on(born: dt.date, day: dt.date) -> int:
    """Completed years; a 29 February birthday falls on 1 March in other years."""
    try:
        birthday = born.replace(year=day.year)
    except ValueError:
        birthday = dt.date(day.year, 3, 1)
    return day.year - born.year - (1 if day < birthday else 0)


def nhs(value) -> str | None:
    text = re.sub(r"\s", "", value or "")
    return text or None


def coded(tables: dict[str, pl.DataFrame], codelist: tuple[str, str]) -> pl.DataFrame:
    """Events and issues with a code in CODELIST (name, version), on or before D."""
    events = tables["events"].select(
        "practice_code", "patient_id", pl.col("event_date").alias("date"), "coding_system", "code"
    )
    issues = tables["medications"].select(
        "practice_code", "patient_id", pl.col("issue_date").alias("date"), "coding_system", "code"
    )
    codes = tables["codelist_codes"].filter(
        (pl.col("codelist") == codelist[0]) & (pl.col("version") == codelist[1])
    )
    return (
        pl.concat([events, issues])
        .join(codes.select("coding_system", "code", "category"), on=["coding_system", "code"])
        .join(tables["run_practices"], on="practice_code")
        .filter(pl.col("date") <= pl.col("index_date"))
    )


def within(frame: pl.DataFrame, window: int) -> pl.DataFrame:
    return frame.filter(pl.col("date") >= pl.col("index_date") - pl.duration(days=window))


def route_holders(
    frame: pl.DataFrame, *, window: int, count: int, span: int
) -> set[tuple[str, str]]:
    grouped = (
        within(frame, window)
        .group_by("practice_code", "patient_id")
        .agg(
            pl.len().alias("n"),
            pl.col("date").min().alias("first"),
            pl.col("date").max().alias("last"),
        )
    )
    held = grouped.filter(
        (pl.col("n") >= count) & ((pl.col("last") - pl.col("first")).dt.total_days() >= span)
    )
    return set(held.select("practice_code", "patient_id").iter_rows())


def in_work(frame: pl.DataFrame, *, window: int, exclude: set[str]) -> set[tuple[str, str]]:
    found = set()
    for key, group in within(frame, window).group_by("practice_code", "patient_id"):
        latest = group["date"].max()
        if set(group.filter(pl.col("date") == latest)["category"].to_list()) & exclude:
            found.add(tuple(key))
    return found


def anyone(frame: pl.DataFrame) -> set[tuple[str, str]]:
    return set(frame.select("practice_code", "patient_id").iter_rows())


def opted_out(opt: pl.DataFrame, withdrawn: pl.DataFrame) -> set[tuple[str, str]]:
    """An opt-out counts unless a withdrawal is dated strictly after it."""
    later: dict[tuple[str, str], list[dt.date]] = {}
    for practice, patient, date in withdrawn.select(
        "practice_code", "patient_id", "date"
    ).iter_rows():
        later.setdefault((practice, patient), []).append(date)
    return {
        (practice, patient)
        for practice, patient, date in opt.select("practice_code", "patient_id", "date").iter_rows()
        if not any(w > date for w in later.get((practice, patient), []))
    }


def listed(patients: pl.DataFrame, entries: pl.DataFrame) -> set[tuple[str, str]]:
    """Patients on a list by practice and patient id, or by NHS number."""
    ids = set(entries.select("practice_code", "patient_id").iter_rows())
    numbers = {nhs(n) for n in entries["nhs_number"].to_list()} - {None}
    return {
        (p["practice_code"], p["patient_id"])
        for p in patients.iter_rows(named=True)
        if (p["practice_code"], p["patient_id"]) in ids
        or (p["nhs_number"] and p["nhs_number"] in numbers)
    }


def shared_numbers(patients: pl.DataFrame, index: dict) -> set[str]:
    """Valid NHS numbers held by two or more patients registered and alive on their D."""
    live = Counter(
        p["nhs_number"]
        for p in patients.iter_rows(named=True)
        if p["nhs_number"] and p["nhs_number_valid"] and on_list(p, index[p["practice_code"]])
    )
    return {number for number, n in live.items() if n > 1}


def on_list(p: dict, day: dt.date) -> bool:
    registered = p["registration_date"] <= day and (
        p["deregistration_date"] is None or p["deregistration_date"] > day
    )
    return registered and (p["date_of_death"] is None or p["date_of_death"] > day)


def dq_problem(p: dict, shared: set[str]) -> bool:
    bad_nhs = p["nhs_number"] is not None and p["nhs_number_valid"] is False
    bad_nhs = bad_nhs or (bool(p["nhs_number_valid"]) and p["nhs_number"] in shared)
    no_address = not (p["address_line_1"] or "").strip()
    bad_postcode = not (p["postcode"] or "").strip() or not p["postcode_valid"]
    return bad_nhs or no_address or bad_postcode


def decide(tables: dict[str, pl.DataFrame], params: dict, codelists: dict) -> dict:
    """(practice_code, patient_id) -> the first rule that stopped them, or None if invited."""
    return {
        key: next((rule for rule in ORDER if rule in found), None)
        for key, found in verdicts(tables, params, codelists).items()
    }


def verdicts(tables: dict[str, pl.DataFrame], params: dict, codelists: dict) -> dict:
    """(practice_code, patient_id) -> every rule the patient fails, plus the routes
    ('c1', 'c2', 'c3') that held. CODELISTS maps each role to (codelist name, version)."""
    role = {name: coded(tables, pin) for name, pin in codelists.items()}
    routes = {
        route: route_holders(
            role[name],
            window=params[f"{route}_window_days"],
            count=params[f"{route}_min_count"],
            span=params[f"{route}_min_span_days"],
        )
        for route, name in ROUTES
    }
    exclude = set(params["employment_exclude_categories"].split(",")) - {""}
    window = params["employment_window_days"]
    sets = {
        "in_work": in_work(role["employment_status"], window=window, exclude=exclude),
        "dementia": anyone(role["dementia"]),
        "palliative": anyone(role["palliative_care"]),
        "opt_out": opted_out(role["research_opt_out"], role["research_opt_out_withdrawn"]),
        "already_invited": listed(tables["patients"], tables["prior_invitations"]),
        "do_not_contact": listed(tables["patients"], tables["do_not_contact"]),
        "screened_out": listed(tables["patients"], tables["screened_out"]),
    }
    index = dict(tables["run_practices"].iter_rows())
    sets["shared_nhs"] = shared_numbers(tables["patients"], index)
    found = {}
    for p in tables["patients"].iter_rows(named=True):
        key = (p["practice_code"], p["patient_id"])
        held = frozenset(route for route, members in routes.items() if key in members)
        found[key] = held | failed_rules(p, index[p["practice_code"]], params, held, sets)
    return found


def failed_rules(
    p: dict, day: dt.date, params: dict, held: frozenset, sets: dict
) -> frozenset[str]:
    key = (p["practice_code"], p["patient_id"])
    registered = p["registration_date"] <= day and (
        p["deregistration_date"] is None or p["deregistration_date"] > day
    )
    failed = {
        "not_registered": not registered,
        "not_alive": p["date_of_death"] is not None and p["date_of_death"] <= day,
        "age": not params["min_age"] <= age_on(p["date_of_birth"], day) <= params["max_age"],
        "no_chronic_pain": not held,
        "data_quality": dq_problem(p, sets["shared_nhs"] if on_list(p, day) else set()),
    }
    failed |= {rule: key in members for rule, members in sets.items() if rule != "shared_nhs"}
    return frozenset(rule for rule in ORDER if failed[rule])
