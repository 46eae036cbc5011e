"""Every problem of a study file's mapping, as (dotted key, what to write instead).

Checked in order: the shape of each section; then, once the shape is right,
names, references between criteria (missing, empty, cycles), numbers that
cannot work, and the codelist pins against the codelist repository.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.errors import CodelistError
from pipeline.study import nodes as N
from pipeline.study.build import NODE_KEYS, node_key
from pipeline.study.shape import NODE_SHAPES, STEP_SHAPE, TOP_SHAPE, check_mapping, check_value

NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
CRITERION = re.compile(r"[a-z][a-z0-9_]{0,39}")
# population columns every study has: no criterion may take these names.
RESERVED = frozenset(
    {
        "practice_code", "patient_id", "index_date", "age", "score", "out_of_work_evidence",
        "dq_reason", "stopped_by", "invited", "already_invited", "do_not_contact",
        "screened_out", "nhs_shared", "data_quality", "sex",
    }
)  # fmt: skip
Problems = list[tuple[str, str]]
# `screening:` a GP reviews the chosen people before letters (default) or not.
SCREENING_MODES = ("required", "off")


def check_study(data: dict, *, repository=None) -> Problems:
    problems = _top_shape(data)
    if problems:
        return problems
    problems = check_names(data) + check_references(data)
    if problems:
        return problems
    problems = check_numbers(data) + check_invitations(data)
    if repository is not None:
        problems += check_codelists(data, repository)
    return problems


def _top_shape(data: dict) -> Problems:
    problems = [
        (key, f"unknown key; the study file's keys are {', '.join(TOP_SHAPE)}")
        for key in data
        if key not in TOP_SHAPE
    ]
    for key, kind in TOP_SHAPE.items():
        value = data.get(key)
        special = {"codelists": _codelists_shape, "criteria": _criteria_shape,
                   "steps": _steps_shape, "score": _score_shape}  # fmt: skip
        base = kind.rstrip("?")
        if base in special:
            if value is None:
                problems += (
                    []
                    if kind.endswith("?")
                    else [(key, "missing; add it (see studies/instep.yaml)")]
                )
            else:
                problems += special[base](value, key)
        else:
            problems += check_value(value, kind, key)
    return problems


def _codelists_shape(value: Any, where: str) -> Problems:
    if not isinstance(value, dict) or not value:
        return [(where, 'must map each codelist alias to {name: ..., version: "1"}')]
    pin = {"name": "text", "version": "text"}
    problems = []
    for alias, spec in value.items():
        if isinstance(spec, dict) and isinstance(spec.get("version"), int | float):
            spec = {**spec, "version": str(spec["version"])}
        problems += check_mapping(spec, pin, f"{where}.{alias}")
    return problems


def _criteria_shape(value: Any, where: str) -> Problems:
    if not isinstance(value, dict) or not value:
        return [(where, "must map each criterion name to {label: ..., <node type>: ...}")]
    problems = []
    for name, spec in value.items():
        at = f"{where}.{name}"
        if not isinstance(spec, dict):
            problems.append((at, f"must be a mapping: label: plus one of {', '.join(NODE_KEYS)}"))
            continue
        kinds = node_key(spec)
        if len(kinds) != 1:
            found = ", ".join(kinds) or "none"
            problems.append(
                (at, f"needs exactly one node type of {', '.join(NODE_KEYS)} (found {found})")
            )
            continue
        shape = {"label": "text", kinds[0]: NODE_SHAPES[kinds[0]]}
        problems += check_mapping(spec, shape, at)
    return problems


def _steps_shape(value: Any, where: str) -> Problems:
    if not isinstance(value, list) or not value:
        return [
            (where, "must be a list of steps, each {require: criterion} or {exclude: criterion}")
        ]
    problems = []
    for i, spec in enumerate(value):
        at = f"{where}[{i}]"
        problems += check_mapping(spec, STEP_SHAPE, at)
        if isinstance(spec, dict) and ("require" in spec) == ("exclude" in spec):
            problems.append((at, "give exactly one of require: or exclude: with a criterion name"))
    return problems


def _score_shape(value: Any, where: str) -> Problems:
    if not isinstance(value, dict):
        return [(where, "must map criterion names to whole numbers of points, e.g. {c2: 1}")]
    return [
        (f"{where}.{name}", f"must be a whole number of points, not {points!r:.20}")
        for name, points in value.items()
        if not isinstance(points, int) or isinstance(points, bool)
    ]


def check_names(data: dict) -> Problems:
    problems = []
    if not NAME.fullmatch(data["name"]):
        problems.append(
            ("name", "use lower-case letters, digits, - and _ (at most 40), starting with a letter")
        )
    for name in data["criteria"]:
        if not isinstance(name, str) or not CRITERION.fullmatch(name):
            problems.append(
                (
                    f"criteria.{name}",
                    "name criteria with lower-case letters, digits and _, starting with a letter",
                )
            )
        elif name in RESERVED:
            problems.append(
                (f"criteria.{name}", f"'{name}' is a built-in column name; choose another name")
            )
    stops = [s.get("stop") or s.get("require") or s.get("exclude") for s in data["steps"]]
    built_in = {stop for stop, _ in N.BUILT_IN_STEPS}
    for i, stop in enumerate(stops):
        if stop in built_in:
            problems.append(
                (
                    f"steps[{i}]",
                    f"'{stop}' is a built-in final step every study gets; give stop: another name",
                )
            )
        elif stops.index(stop) != i:
            problems.append(
                (
                    f"steps[{i}]",
                    f"stop name '{stop}' is used by an earlier step; give this one stop: <other name>",
                )
            )
    return problems


def check_references(data: dict) -> Problems:
    """Names that refer to missing criteria or codelists, empty all/any, and cycles."""
    criteria, aliases = data["criteria"], data["codelists"]
    problems = []
    for name, spec in criteria.items():
        problems += _reference_problems(name, spec, criteria, aliases)
    for i, spec in enumerate(data["steps"]):
        target = spec.get("require") or spec.get("exclude")
        problems += _missing(target, criteria, f"steps[{i}]")
    for name in data.get("score") or {}:
        problems += _missing(name, criteria, f"score.{name}")
    if data.get("out_of_work_evidence"):
        problems += _missing(data["out_of_work_evidence"], criteria, "out_of_work_evidence")
    if data.get("require_out_of_work_evidence") and not data.get("out_of_work_evidence"):
        problems.append(
            (
                "require_out_of_work_evidence",
                "name the criterion with out_of_work_evidence: <criterion>",
            )
        )
    return problems or _cycles(criteria)


def _reference_problems(name: str, spec: dict, criteria: dict, aliases: dict) -> Problems:
    (kind,) = node_key(spec)
    value, at = spec[kind], f"criteria.{name}.{kind}"
    if kind in ("all", "any"):
        if not value:
            return [
                (at, f"an empty {kind}: list at least one criterion name, or remove the criterion")
            ]
        return [p for member in value for p in _missing(member, criteria, at)]
    if kind == "not":
        return _missing(value, criteria, at)
    found = []
    if kind in ("records", "latest", "value"):
        found += _alias(value["codelist"], aliases, f"{at}.codelist")
        if value.get("unless_later"):
            found += _alias(
                value["unless_later"]["codelist"], aliases, f"{at}.unless_later.codelist"
            )
    return found


def _missing(name: str, criteria: dict, at: str) -> Problems:
    if name in criteria:
        return []
    known = ", ".join(list(criteria)[:8])
    return [
        (at, f"no criterion called '{name:.40}'; define it under criteria: or use one of {known}")
    ]


def _alias(alias: str, aliases: dict, at: str) -> Problems:
    if alias in aliases:
        return []
    return [
        (
            at,
            f"no codelist '{alias:.40}' under codelists:; add it there as {{name: ..., version: \"1\"}}",
        )
    ]


def _cycles(criteria: dict) -> Problems:
    """A criterion that refers back to itself through all/any/not."""

    def members(name):
        (kind,) = node_key(criteria[name])
        value = criteria[name][kind]
        return list(value) if kind in ("all", "any") else [value] if kind == "not" else []

    state: dict[str, int] = {}

    def visit(name, path) -> list[str] | None:
        if state.get(name) == 2:
            return None
        if state.get(name) == 1:
            return path[path.index(name) :] + [name]
        state[name] = 1
        for member in members(name):
            cycle = visit(member, path + [name])
            if cycle:
                return cycle
        state[name] = 2
        return None

    for name in criteria:
        cycle = visit(name, [])
        if cycle:
            return [
                (
                    f"criteria.{cycle[0]}",
                    f"refers back to itself ({' -> '.join(cycle)}); break the loop",
                )
            ]
    return []


def check_numbers(data: dict) -> Problems:
    problems = []
    for name, spec in data["criteria"].items():
        (kind,) = node_key(spec)
        problems += NUMBER_CHECKS.get(kind, lambda v, at: [])(spec[kind], f"criteria.{name}.{kind}")
    return problems


def _age(v: dict, at: str) -> Problems:
    if v["min"] > v["max"]:
        return [(at, f"min {v['min']} is above max {v['max']}; swap them")]
    return []


def _sex(v: list, at: str) -> Problems:
    bad = [s for s in v if s not in N.SEXES]
    if not v or bad:
        return [(at, f"list sexes from {', '.join(N.SEXES)} (the extract's codes), e.g. [F]")]
    return []


def _records(v: dict, at: str) -> Problems:
    problems = []
    if v.get("min_count") is not None and v["min_count"] < 1:
        problems.append((f"{at}.min_count", "must be at least 1"))
    span, within = v.get("min_span_days") or 0, v.get("within_days")
    if within is not None and span > within:
        problems.append(
            (
                f"{at}.min_span_days",
                f"{span} is longer than within_days {within}, so it could never hold; shorten it",
            )
        )
    if v.get("source") is not None and v["source"] not in N.SOURCES:
        problems.append(
            (f"{at}.source", f"must be one of {', '.join(N.SOURCES)} (or left out for both)")
        )
    return problems


def _value(v: dict, at: str) -> Problems:
    problems = []
    if v["operator"] not in N.OPERATORS:
        problems.append(
            (f"{at}.operator", f'must be one of {" ".join(N.OPERATORS)} (quote it: ">=")')
        )
    if (v.get("which") or "latest") not in ("latest", "any"):
        problems.append((f"{at}.which", "must be latest or any"))
    return problems


def check_invitations(data: dict) -> Problems:
    """capacity_per_practice and screening: settings that cannot work."""
    problems = []
    if data.get("capacity_per_practice") == 0:
        problems.append(("capacity_per_practice", "must be at least 1; leave it out for no limit"))
    screening = data.get("screening")
    if screening is not None and screening not in SCREENING_MODES:
        problems.append(
            ("screening", f"'{screening:.20}' is not a setting; use {' or '.join(SCREENING_MODES)}")
        )
    return problems


def _latest(v: dict, at: str) -> Problems:
    return [] if v["category_in"] else [(f"{at}.category_in", "list at least one category")]


NUMBER_CHECKS = {"age": _age, "sex": _sex, "records": _records, "value": _value, "latest": _latest}


def check_codelists(data: dict, repository) -> Problems:
    """Every pinned codelist version must be published; categories must be the codelist's."""
    problems, found = [], {}
    for alias, pin in data["codelists"].items():
        name, version = pin["name"], str(pin["version"])
        try:
            found[alias] = repository.get(name, version)
        except CodelistError:
            problems.append(
                (f"codelists.{alias}", f"{name} version {version} {_published(repository, name)}")
            )
            continue
        if not getattr(found[alias], "published", True):
            problems.append(
                (
                    f"codelists.{alias}",
                    f"{name} version {version} is a draft; publish it "
                    "(`cohort codelists publish`) or pin a published version",
                )
            )
    return problems + _category_problems(data, found)


def _category_problems(data: dict, found: dict) -> Problems:
    problems = []
    for name, spec in data["criteria"].items():
        (kind,) = node_key(spec)
        value = spec[kind]
        if kind not in ("records", "latest"):
            continue
        uses = [
            (value["codelist"], value.get("category_in"), f"criteria.{name}.{kind}.category_in")
        ]
        if kind == "records" and value.get("unless_later"):
            u = value["unless_later"]
            uses.append(
                (
                    u["codelist"],
                    u.get("category_in"),
                    f"criteria.{name}.{kind}.unless_later.category_in",
                )
            )
        for alias, categories, at in uses:
            known = tuple(getattr(found.get(alias), "categories", ()) or ())
            bad = [c for c in categories or () if known and c not in known]
            if bad:
                problems.append(
                    (
                        at,
                        f"'{bad[0]:.30}' is not a category of codelist {alias}; use {', '.join(known)}",
                    )
                )
    return problems


def _published(repository, name: str) -> str:
    try:
        versions = list(repository.versions(name))
    except CodelistError:
        versions = []
    if not versions:
        return "is not in the codelist repository (no codelist of that name); check the name in codelists/"
    shown = ", ".join(str(v) for v in versions)
    return f"is not in the codelist repository (published versions: {shown}); pin one of those"
