"""Convert a study file of the old fixed format to the study language.

Before the study language (December 2026) a study file only changed InStep's
numbers: `population: {min_age, max_age}`, `chronic_pain: {c1, c2, c3}` with
`window_days/min_count/min_span_days`, and `employment: {window_days,
exclude_categories}`, with the codelists pinned by fixed role names. Such a file
now stops with a one-line error pointing at `cohort upgrade-study FILE`, which
prints the same study as a tree of criteria (the InStep tree with the file's
numbers and codelist pins); the decisions are the same.
"""

from __future__ import annotations

import yaml

ROUTES = (
    ("c1", "chronic_pain_conditions", "C1 repeated pain conditions"),
    ("c2", "chronic_pain_diagnosis", "C2 chronic pain recorded"),
    ("c3", "pain_medications", "C3 repeat pain medication"),
)


def upgrade(old: dict) -> dict:
    """The study-language mapping of an old-format study mapping."""
    new = {k: old[k] for k in ("name", "title", "description") if k in old}
    new["codelists"] = old.get("codelists", {})
    new["criteria"] = _criteria(old)
    new["steps"] = [
        {"require": "registered", "stop": "not_registered"},
        {"require": "alive", "stop": "not_alive"},
        {"require": "working_age", "stop": "age"},
        {"require": "chronic_pain", "stop": "no_chronic_pain"},
        {"require": "not_in_work", "stop": "in_work"},
        {"exclude": "dementia", "label": "No dementia"},
        {"exclude": "palliative", "label": "No palliative care"},
        {"exclude": "opt_out", "label": "No research opt-out"},
    ]
    if old.get("letter"):
        new["letter"] = old["letter"]
    return new


def _criteria(old: dict) -> dict:
    pop, pain, emp = (
        old.get("population", {}),
        old.get("chronic_pain", {}),
        old.get("employment", {}),
    )
    criteria = {
        "registered": {"label": "Registered on the index date", "registered": True},
        "alive": {"label": "Alive on the index date", "alive": True},
        "working_age": {
            "label": "Of working age",
            "age": {"min": pop.get("min_age"), "max": pop.get("max_age")},
        },
    }
    for route, role, label in ROUTES:
        rule = pain.get(route, {})
        records = {
            "codelist": role,
            "within_days": rule.get("window_days"),
            "min_count": rule.get("min_count"),
        }
        if rule.get("min_span_days"):
            records["min_span_days"] = rule["min_span_days"]
        criteria[route] = {"label": label, "records": records}
    categories = emp.get("exclude_categories", [])
    criteria |= {
        "chronic_pain": {"label": "With chronic pain (any route)", "any": [r for r, _, _ in ROUTES]},
        "employment": {
            "label": f"Latest employment status is {_or(categories)}",
            "latest": {"codelist": "employment_status", "within_days": emp.get("window_days"),
                       "category_in": categories},
        },
        "not_in_work": {"label": "Not known to be in work", "not": "employment"},
        "dementia": {"label": "Dementia recorded", "records": {"codelist": "dementia"}},
        "palliative": {"label": "Palliative care recorded", "records": {"codelist": "palliative_care"}},
        "opt_out": {
            "label": "Research opt-out recorded",
            "records": {"codelist": "research_opt_out",
                        "unless_later": {"codelist": "research_opt_out_withdrawn"}},
        },
    }  # fmt: skip
    return criteria


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def upgrade_text(text: str) -> str:
    """The old-format study file TEXT as a study-language YAML text."""
    header = "# Converted by `cohort upgrade-study` from the old study format (docs/study-language.md).\n"
    return header + yaml.safe_dump(
        upgrade(yaml.safe_load(text)), sort_keys=False, allow_unicode=True
    )
