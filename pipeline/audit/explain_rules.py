"""One sentence per criterion of the study tree, from what the run stored.

Each node type has one describer: it reads the criterion's definition (from the
run's study_definition), its flag (population) and the evidence rows the run
kept for it (evidence, rule = criterion name), and says in plain words why it
held or not. Nothing is worked out again from the patient's records: a verdict
is always the run's own flag.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

SYSTEMS = {
    "snomedct": "SNOMED CT",
    "readv2": "Read v2",
    "ctv3": "CTV3",
    "dmd": "dm+d",
    "bnf": "BNF",
}
MAX_DATES = 6


def day(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def join_words(items: list[str], last: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def code_label(r: dict) -> str:
    system = SYSTEMS.get(r["coding_system"], r["coding_system"])
    return f"{r['term'] or 'code'} ({system} {r['code']})"


def evidence_lines(records: list[dict]) -> list[str]:
    """One line per code: term, system and code, codelist and version, its dates (and values)."""
    key = lambda r: (r["coding_system"], r["code"], r["term"], r["codelist"], r["version"])  # noqa: E731
    lines = []
    for _, group in groupby(sorted(records, key=lambda r: (key(r), r["record_date"])), key=key):
        rows = list(group)
        dates = [day(r["record_date"]) + _value(r) for r in rows]
        shown = (
            dates
            if len(dates) <= MAX_DATES
            else dates[: MAX_DATES - 1] + [f"{len(dates) - MAX_DATES + 1} more"]
        )
        verb = "issued" if rows[0]["source"] == "issue" else "recorded"
        line = f"{code_label(rows[0])}, {rows[0]['codelist']} v{rows[0]['version']}, {verb} {join_words(shown)}"
        if len(rows) > 1:
            line += f", {(rows[-1]['record_date'] - rows[0]['record_date']).days} days apart"
        lines.append(line)
    return lines


def _value(r: dict) -> str:
    return f" (value {r['value']:g})" if r.get("value") is not None else ""


class Facts:
    """What one run stored about one patient, with look-ups the describers share."""

    def __init__(self, facts: dict):
        self.facts = facts
        self.tree = facts["definition"]
        self.pop = facts["population"]
        self.patient = facts["patient"]
        self.d = day(self.patient["index_date"])
        self.criteria = {c["name"]: c for c in self.tree["criteria"]}
        self.pins = {c["alias"]: c for c in self.tree["codelists"]}

    def flag(self, name: str) -> bool:
        return bool(self.pop[name])

    def rows(self, rule: str, role: str | None = None) -> list[dict]:
        return [
            r for r in self.facts["evidence"]
            if r["rule"] == rule and (role is None or r["role"] == role)
        ]  # fmt: skip

    def codelist(self, alias: str) -> str:
        pin = self.pins.get(alias)
        return f"{pin['name']} v{pin['version']}" if pin else alias


# --- one describer per node type: (criterion, facts, held) -> (text, evidence lines) ---------


def registered(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    p = f.patient
    left = p.get("deregistration_date")
    if held:
        return f"registered since {day(p['registration_date'])}" + (
            f" (left on {day(left)}, after {f.d})" if left else ""
        ), []
    if p["registration_date"] > p["index_date"]:
        return (
            f"the registration started on {day(p['registration_date'])}, after the index date {f.d}",
            [],
        )
    return f"left the practice on {day(left)}, on or before the index date {f.d}", []


def alive(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    death = f.patient.get("date_of_death")
    if held:
        return f"alive on {f.d}" + (
            f" (date of death {day(death)} is after it)" if death else ""
        ), []
    return f"died on {day(death)}, on or before the index date {f.d}", []


def age(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    rule = c["definition"]
    span = f"{rule['min']} to {rule['max']}"
    said = f"aged {f.pop['age']} on {f.d} (born {day(f.patient['date_of_birth'])})"
    return (
        f"{said}; the study takes {span}" if held else f"{said}, outside the study's {span}"
    ), []


def sex(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    takes = join_words(c["definition"]["values"], "or")
    return f"recorded sex {f.patient.get('sex')}; the study takes {takes}", []


def records(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    rule, name = c["definition"], c["name"]
    inside = [r for r in f.rows(name, rule["codelist"]) if r["in_window"]]
    noun = "issue" if inside and all(r["source"] == "issue" for r in inside) else "record"
    if rule["within_days"] is None:
        return _ever(c, f, held, inside)
    when = f"within {rule['within_days']} days before {f.d}"
    unless = rule.get("unless")
    later = f.rows(name, unless["codelist"]) if unless else []
    if not inside:
        return f"no {noun} from {f.codelist(rule['codelist'])} {when}", evidence_lines(later)
    needs = f"needs at least {rule['min_count']}" + (
        f", the latest at least {rule['min_span_days']} days after the earliest"
        if rule["min_span_days"]
        else ""
    )
    tail, later = _unless(c, f, inside)
    return f"{plural(len(inside), noun)} {when} ({needs}){tail}", evidence_lines(inside + later)


def _unless(c: dict, f: Facts, inside: list[dict]) -> tuple[str, list[dict]]:
    """'; followed by X on DATE' when a record of the unless codelist came on or after the latest."""
    unless = c["definition"].get("unless")
    if not unless or not inside:
        return "", []
    last = max(r["record_date"] for r in inside)
    later = [
        r for r in f.rows(c["name"], unless["codelist"])
        if r["record_date"] > last or (unless["same_day"] and r["record_date"] == last)
    ]  # fmt: skip
    if not later:
        return f", with no later record from {f.codelist(unless['codelist'])}", []
    first = min(r["record_date"] for r in later)
    return f"; followed by {f.codelist(unless['codelist'])} on {day(first)}", later


def _ever(c: dict, f: Facts, held: bool, inside: list[dict]) -> tuple[str, list[str]]:
    rule = c["definition"]
    if not inside:
        return f"no record from {f.codelist(rule['codelist'])} on or before {f.d}", []
    last = max(r["record_date"] for r in inside)
    tail, later = _unless(c, f, inside)
    lines = evidence_lines(inside + later)
    if held or later:
        return f"recorded on {day(last)}{tail}", lines
    return f"{plural(len(inside), 'record')} on or before {f.d}, fewer than the study needs", lines


def latest(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    rule, name = c["definition"], c["name"]
    what = rule["codelist"].replace("_", " ")
    window = (
        f"in the {rule['within_days']} days before {f.d}"
        if rule["within_days"] is not None
        else f"on or before {f.d}"
    )
    rows = f.rows(name)
    inside = [r for r in rows if r["in_window"]]
    if not inside:
        older = [r for r in rows if r["in_window"] is False]
        tail = (
            f"; the most recent, {code_label(older[-1])}, was on {day(older[-1]['record_date'])}, outside the window"
            if older
            else "; none recorded at all"
        )
        return f"no {what} recorded {window}{tail}", []
    said = join_words([f"{code_label(r)} [{r['category']}]" for r in inside])
    text = f"the latest {what} {window.replace('in the', 'within the')} is {said}, on {day(inside[0]['record_date'])}"
    return text, evidence_lines(inside)


def value(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    rule, name = c["definition"], c["name"]
    what = rule["codelist"].replace("_", " ")
    rows = f.rows(name)
    needs = f"the study needs {rule['operator']} {rule['threshold']:g}"
    if not rows:
        return f"no {what} value within {rule['within_days']} days before {f.d}; {needs}", []
    which = "latest" if rule["which"] == "latest" else "deciding"
    seen = f.pop.get(f"{name}_value")
    when = f.pop.get(f"{name}_date")
    return f"the {which} {what} value is {seen:g} (on {day(when)}); {needs}", evidence_lines(rows)


def combined(c: dict, f: Facts, held: bool) -> tuple[str, list[str]]:
    members = c["members"]
    labels = [f.criteria[m]["label"] for m in members if f.flag(m)]
    if c["kind"] == "not":
        inner = f.criteria[members[0]]
        text, lines = describe(inner, f)
        return text, lines
    if labels:
        return f"{join_words(labels)} held", []
    return f"none of {join_words([f.criteria[m]['label'] for m in members], 'or')} held", []


DESCRIBERS = {
    "registered": registered, "alive": alive, "age": age, "sex": sex, "records": records,
    "latest": latest, "value": value, "all": combined, "any": combined, "not": combined,
}  # fmt: skip


def describe(c: dict, f: Facts) -> tuple[str, list[str]]:
    return DESCRIBERS[c["kind"]](c, f, f.flag(c["name"]))


def member(c: dict, f: Facts) -> dict:
    """A member of an all/any criterion, as a sub-rule: '<label> held: <why>'."""
    held = f.flag(c["name"])
    text, lines = describe(c, f)
    verdict = "held" if held else "did not hold"
    return {
        "rule": c["name"],
        "label": c["label"],
        "held": held,
        "text": f"{c['label']} {verdict}: {text}",
        "evidence": lines,
    }
