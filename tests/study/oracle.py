"""An independent interpreter of the study language in plain Python over polars frames.

It shares no code or SQL with the engine (pipeline/study/compile*.py): it reads
only the input tables and the study's tree (the frozen nodes of
pipeline/study/nodes.py), and evaluates each node type the way
docs/study-language.md words it. test_study_oracle.py checks that both invite
the same patients, stop everyone else at the same first step, and agree on
every criterion's flag.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import polars as pl

from pipeline.study import nodes as N

OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "=": lambda a, b: a == b,
}


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


def records_by_patient(tables: dict[str, pl.DataFrame], study) -> dict:
    """(practice, patient) -> alias -> [record dicts] on or before D (date, category, value, source)."""
    index = dict(tables["run_practices"].iter_rows())
    codes = defaultdict(list)
    for alias, name, version in study.codelist_refs():
        for c in tables["codelist_codes"].iter_rows(named=True):
            if c["codelist"] == name and c["version"] == version:
                codes[(c["coding_system"], c["code"])].append((alias, c["category"]))
    found: dict = defaultdict(lambda: defaultdict(list))
    for table, date_col, source in (
        ("events", "event_date", "event"),
        ("medications", "issue_date", "issue"),
    ):
        for r in tables[table].iter_rows(named=True):
            day = index.get(r["practice_code"])
            if day is None or r[date_col] > day:
                continue
            for alias, category in codes.get((r["coding_system"], r["code"]), []):
                found[(r["practice_code"], r["patient_id"])][alias].append(
                    {
                        "date": r[date_col],
                        "category": category,
                        "value": r.get("value"),
                        "source": source,
                    }
                )
    return found


def in_window(recs: list[dict], day: dt.date, within: int | None) -> list[dict]:
    if within is None:
        return recs
    return [r for r in recs if day - dt.timedelta(days=within) <= r["date"] <= day]


def records_hold(node: N.Records, recs: dict, day: dt.date) -> bool:
    got = in_window(recs.get(node.codelist, []), day, node.within_days)
    if node.source:
        got = [
            r
            for r in got
            if r["source"] == {"events": "event", "medications": "issue"}[node.source]
        ]
    if node.category_in:
        got = [r for r in got if r["category"] in node.category_in]
    count = len({r["date"] for r in got}) if node.distinct_dates else len(got)
    if not got or count < node.min_count:
        return False
    first, last = min(r["date"] for r in got), max(r["date"] for r in got)
    if (last - first).days < node.min_span_days:
        return False
    if node.unless is None:
        return True
    u = node.unless
    later = [
        r for r in recs.get(u.codelist, [])
        if (not u.category_in or r["category"] in u.category_in)
        and (r["date"] > last or (u.same_day and r["date"] == last))
    ]  # fmt: skip
    return not later


def latest_holds(node: N.Latest, recs: dict, day: dt.date) -> bool:
    got = in_window(recs.get(node.codelist, []), day, node.within_days)
    if not got:
        return False
    latest = max(r["date"] for r in got)
    return any(r["category"] in node.category_in for r in got if r["date"] == latest)


def value_holds(node: N.Value, recs: dict, day: dt.date) -> bool:
    got = [
        r
        for r in in_window(recs.get(node.codelist, []), day, node.within_days)
        if r["value"] is not None
    ]
    if not got:
        return False
    test = OPS[node.operator]
    if node.which == "any":
        return any(test(r["value"], node.threshold) for r in got)
    latest = max(r["date"] for r in got)
    return all(test(r["value"], node.threshold) for r in got if r["date"] == latest)


def registered(p: dict, day: dt.date) -> bool:
    return p["registration_date"] <= day and (
        p["deregistration_date"] is None or p["deregistration_date"] > day
    )


def alive(p: dict, day: dt.date) -> bool:
    return p["date_of_death"] is None or p["date_of_death"] > day


def holds(study, name: str, p: dict, recs: dict, day: dt.date) -> bool:
    node = study.criterion(name).node
    if isinstance(node, N.Registered):
        return registered(p, day)
    if isinstance(node, N.Alive):
        return alive(p, day)
    if isinstance(node, N.Age):
        return node.min <= age_on(p["date_of_birth"], day) <= node.max
    if isinstance(node, N.Sex):
        return p.get("sex") in node.values
    if isinstance(node, N.Records):
        return records_hold(node, recs, day)
    if isinstance(node, N.Latest):
        return latest_holds(node, recs, day)
    if isinstance(node, N.Value):
        return value_holds(node, recs, day)
    if isinstance(node, N.Not):
        return not holds(study, node.of, p, recs, day)
    parts = (holds(study, m, p, recs, day) for m in node.of)
    return all(parts) if isinstance(node, N.All) else any(parts)


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
    return registered(p, day) and alive(p, day)


def dq_problem(p: dict, shared: set[str]) -> bool:
    bad_nhs = p["nhs_number"] is not None and p["nhs_number_valid"] is False
    bad_nhs = bad_nhs or (bool(p["nhs_number_valid"]) and p["nhs_number"] in shared)
    no_address = not (p["address_line_1"] or "").strip()
    bad_postcode = not (p["postcode"] or "").strip() or not p["postcode_valid"]
    return bad_nhs or no_address or bad_postcode


def verdicts(tables: dict[str, pl.DataFrame], study) -> dict:
    """(practice_code, patient_id) -> the criteria that hold, plus each built-in step that stops them."""
    recs = records_by_patient(tables, study)
    index = dict(tables["run_practices"].iter_rows())
    empty = pl.DataFrame(
        schema={k: pl.String for k in ("practice_code", "patient_id", "nhs_number")}
    )
    lists = {
        "already_invited": listed(tables["patients"], tables["prior_invitations"]),
        "do_not_contact": listed(tables["patients"], tables["do_not_contact"]),
        "screened_out": listed(tables["patients"], tables.get("screened_out", empty)),
    }
    shared = shared_numbers(tables["patients"], index)
    found = {}
    for p in tables["patients"].iter_rows(named=True):
        key, day = (p["practice_code"], p["patient_id"]), index[p["practice_code"]]
        held = {c.name for c in study.criteria if holds(study, c.name, p, recs.get(key, {}), day)}
        held |= {name for name, members in lists.items() if key in members}
        if dq_problem(p, shared if on_list(p, day) else set()):
            held.add("data_quality")
        found[key] = frozenset(held)
    return found


def decide(tables: dict[str, pl.DataFrame], study) -> dict:
    """(practice_code, patient_id) -> the first step that stopped them, or None if invited."""
    return {key: first_stop(study, held) for key, held in verdicts(tables, study).items()}


def first_stop(study, held: frozenset) -> str | None:
    for step in study.all_steps():
        if not step.criterion:  # a built-in final step: its flag stops
            if step.stop in held:
                return step.stop
        elif (step.criterion in held) == step.exclude:
            return step.stop
    return None
