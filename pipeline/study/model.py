"""A study definition (studies/*.yaml) as small frozen, self-checking objects.

The file is validated as a whole on load: every unknown key, missing key, wrong
type, impossible number and unpublished codelist version is collected, and
StudyError names them all on one line. The model holds numbers and codelist
pins only; the rules themselves are SQL (sql/study/), referring to the codelists
by the fixed role names in ROLES, so a second study needs only a new file.
"""

from __future__ import annotations

import hashlib
import re
import types
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from pipeline import yamlsafe
from pipeline.errors import CodelistError, StudyError

# The codelist roles the rules refer to; a study maps each to a codelist name and version.
ROLES = (
    "chronic_pain_conditions",
    "chronic_pain_diagnosis",
    "pain_medications",
    "employment_status",
    "dementia",
    "palliative_care",
    "research_opt_out",
    "research_opt_out_withdrawn",
)
# Each chronic-pain route counts records from one role.
ROUTE_ROLES = {
    "c1": "chronic_pain_conditions",
    "c2": "chronic_pain_diagnosis",
    "c3": "pain_medications",
}
EMPLOYMENT_CATEGORIES = ("employed", "unemployed", "retired", "student")
# `screening:` a GP reviews the chosen people before letters (default) or not.
SCREENING_MODES = ("required", "off")
NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")

# The file's shape: key -> kind ("int", "text", "texts", "mapping") or a nested shape.
# A trailing "?" on a kind marks the key optional.
ROUTE_SHAPE = {"window_days": "int", "min_count": "int", "min_span_days": "int?"}
SHAPE: dict[str, Any] = {
    "name": "text",
    "title": "text",
    "description": "text?",
    "codelists": "codelists",
    "population": {"min_age": "int", "max_age": "int"},
    "chronic_pain": {route: ROUTE_SHAPE for route in ROUTE_ROLES},
    "employment": {"window_days": "int", "exclude_categories": "texts"},
    "letter": "mapping?",
    "capacity_per_practice": "int?",
    "screening": "text?",
}
KIND_WORDS = {
    "int": "a whole number of 0 or more",
    "text": "text",
    "texts": "a list of text values",
    "mapping": "a mapping of keys to values",
    "codelists": "a mapping of role to {name, version}",
}


@dataclass(frozen=True)
class CodelistRef:
    role: str
    name: str
    version: str


@dataclass(frozen=True)
class Route:
    """A chronic-pain route: at least min_count records from role within window_days
    of the index date, the latest at least min_span_days after the earliest."""

    route: str
    role: str
    window_days: int
    min_count: int
    min_span_days: int = 0


@dataclass(frozen=True)
class Employment:
    """Exclude when the latest employment-status date in the window has any of these categories."""

    window_days: int
    exclude_categories: tuple[str, ...]


@dataclass(frozen=True)
class Study:
    name: str
    title: str
    description: str
    codelists: tuple[CodelistRef, ...]
    min_age: int
    max_age: int
    routes: tuple[Route, ...]
    employment: Employment
    letter: types.MappingProxyType
    capacity_per_practice: int | None = None  # letters per practice per run; None: no limit
    screening: str = "required"  # required | off (docs/invitations.md)
    source: str = ""
    sha256: str = ""

    def __post_init__(self):
        assert tuple(ref.role for ref in self.codelists) == ROLES, "codelist roles out of order"
        assert tuple(r.route for r in self.routes) == tuple(ROUTE_ROLES), "routes out of order"

    def parameters(self) -> dict[str, int | str]:
        """Every number of the study, flat (name -> value); sorted by name."""
        params: dict[str, int | str] = {"min_age": self.min_age, "max_age": self.max_age}
        for r in self.routes:
            params |= {
                f"{r.route}_window_days": r.window_days,
                f"{r.route}_min_count": r.min_count,
                f"{r.route}_min_span_days": r.min_span_days,
            }
        params["employment_window_days"] = self.employment.window_days
        params["employment_exclude_categories"] = ",".join(self.employment.exclude_categories)
        return dict(sorted(params.items()))

    def codelist_refs(self) -> tuple[tuple[str, str, str], ...]:
        """(role, codelist name, version) for every role, in ROLES order."""
        return tuple((ref.role, ref.name, ref.version) for ref in self.codelists)

    def codelist(self, role: str) -> CodelistRef:
        return next(ref for ref in self.codelists if ref.role == role)

    def with_codelist_version(self, name: str, version: str) -> Study:
        """The same study with every role that uses codelist NAME pinned to VERSION."""
        if name not in {ref.name for ref in self.codelists}:
            used = ", ".join(sorted({ref.name for ref in self.codelists}))
            raise StudyError(
                f"study {self.name} does not use a codelist called {name}; it uses {used}"
            )
        refs = tuple(replace(r, version=version) if r.name == name else r for r in self.codelists)
        return replace(self, codelists=refs)


def load_study(path: Path | str, *, repository=None) -> Study:
    """Read and validate a study file; StudyError lists every problem on one line.

    REPOSITORY is the codelist repository the pins are checked against
    (default: pipeline.codelists.repository.load_repository()).
    """
    path = Path(path)
    text = _read(path)
    data = _parse(path, text)
    problems = check_shape(data, SHAPE)
    if not problems:
        problems = check_values(data) + check_codelists(data["codelists"], _repository(repository))
    if problems:
        raise StudyError(_summary(path, problems))
    return build_study(data, source=str(path), sha256=hashlib.sha256(text.encode()).hexdigest())


def _repository(repository):
    if repository is not None:
        return repository
    from pipeline.codelists.repository import load_repository

    return load_repository()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyError(
            f"{path}: no such study file; give --study with a file from studies/"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StudyError(
            f"{path}: cannot be read ({type(exc).__name__}); save it as UTF-8 text"
        ) from None


def _parse(path: Path, text: str) -> dict:
    try:
        data = yamlsafe.safe_load(text)
    except yamlsafe.UnsafeYaml as exc:
        raise StudyError(f"{path}: {yamlsafe.describe(exc)}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise StudyError(
            f"{path}: not valid YAML{where}; check the indentation and quoting there"
        ) from None
    if not isinstance(data, dict):
        raise StudyError(
            f"{path}: must be a YAML mapping (name:, title:, codelists:, ...); see studies/instep.yaml"
        )
    return data


def _summary(path: Path, problems: list[str]) -> str:
    shown = "; ".join(problems[:6])
    more = f"; and {len(problems) - 6} more" if len(problems) > 6 else ""
    count = f"{len(problems)} problems: " if len(problems) > 1 else ""
    return f"{path}: {count}{shown}{more}"


def check_shape(data: dict, shape: dict, prefix: str = "") -> list[str]:
    """Unknown keys, missing keys and wrong types, each as 'dotted.key: what to do'."""
    problems = [
        f"{prefix}{key}: unknown key; remove it or check its spelling"
        for key in data
        if key not in shape
    ]
    for key, kind in shape.items():
        where = f"{prefix}{key}"
        if key not in data or data[key] is None:
            if not (isinstance(kind, str) and kind.endswith("?")):
                problems.append(f"{where}: missing; add it (see studies/instep.yaml)")
            continue
        problems += _check_kind(data[key], kind, where)
    return problems


def _check_kind(value: Any, kind: Any, where: str) -> list[str]:
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            return [f"{where}: must be a mapping with keys {', '.join(kind)}"]
        return check_shape(value, kind, f"{where}.")
    kind = kind.rstrip("?")
    if kind == "codelists":
        return _check_codelists_shape(value, where)
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "text": isinstance(value, str) and value.strip() != "",
        "texts": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "mapping": isinstance(value, dict),
    }[kind]
    return [] if ok else [f"{where}: must be {KIND_WORDS[kind]}, not {value!r:.40}"]


def _check_codelists_shape(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: must be {KIND_WORDS['codelists']}"]
    problems = [
        f"{where}.{role}: unknown codelist role; the roles are {', '.join(ROLES)}"
        for role in value
        if role not in ROLES
    ]
    pin = {"name": "text", "version": "text"}
    for role in ROLES:
        if role not in value:
            problems.append(f'{where}.{role}: missing; pin it as {{name: ..., version: "1"}}')
            continue
        problems += _check_kind(value[role], pin, f"{where}.{role}")
    return problems


def check_values(data: dict) -> list[str]:
    """Numbers and names that have the right type but cannot work."""
    problems = []
    if not NAME.fullmatch(data["name"]):
        problems.append(
            "name: use lower-case letters, digits, - and _ (at most 40), starting with a letter"
        )
    pop = data["population"]
    if pop["min_age"] > pop["max_age"]:
        problems.append(
            f"population: min_age {pop['min_age']} is above max_age {pop['max_age']}; swap them"
        )
    return (
        problems
        + _route_problems(data["chronic_pain"])
        + _category_problems(data["employment"])
        + _invitation_problems(data)
    )


def _invitation_problems(data: dict) -> list[str]:
    problems = []
    if data.get("capacity_per_practice") == 0:
        problems.append("capacity_per_practice: must be at least 1; leave it out for no limit")
    screening = data.get("screening")
    if screening is not None and screening not in SCREENING_MODES:
        problems.append(
            f"screening: '{screening:.20}' is not a setting; use {' or '.join(SCREENING_MODES)}"
        )
    return problems


def _route_problems(routes: dict) -> list[str]:
    problems = []
    for route, rule in routes.items():
        if rule["min_count"] < 1:
            problems.append(f"chronic_pain.{route}.min_count: must be at least 1")
        if (rule.get("min_span_days") or 0) > rule["window_days"]:
            problems.append(
                f"chronic_pain.{route}.min_span_days: {rule['min_span_days']} is longer than its "
                f"window_days {rule['window_days']}, so the route could never hold; shorten it"
            )
    return problems


def _category_problems(employment: dict) -> list[str]:
    return [
        f"employment.exclude_categories: '{category:.30}' is not a category; "
        f"use {', '.join(EMPLOYMENT_CATEGORIES)}"
        for category in employment["exclude_categories"]
        if category not in EMPLOYMENT_CATEGORIES
    ]


def check_codelists(pins: dict, repository) -> list[str]:
    """Every pinned codelist version must be published in the codelist repository."""
    problems = []
    for role in ROLES:
        name, version = pins[role]["name"], pins[role]["version"]
        try:
            found = repository.get(name, version)
        except CodelistError:
            problems.append(
                f"codelists.{role}: {name} version {version} {_published(repository, name)}"
            )
            continue
        if not getattr(found, "published", True):
            problems.append(
                f"codelists.{role}: {name} version {version} is a draft; publish it "
                "(`cohort codelists publish`) or pin a published version"
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


def build_study(data: dict, *, source: str = "", sha256: str = "") -> Study:
    """The frozen Study from an already validated mapping."""
    pins = data["codelists"]
    routes = tuple(
        Route(
            route=route,
            role=role,
            **{k: v for k, v in data["chronic_pain"][route].items() if v is not None},
        )
        for route, role in ROUTE_ROLES.items()
    )
    return Study(
        name=data["name"],
        title=data["title"].strip(),
        description=(data.get("description") or "").strip(),
        codelists=tuple(
            CodelistRef(role, pins[role]["name"], pins[role]["version"]) for role in ROLES
        ),
        min_age=data["population"]["min_age"],
        max_age=data["population"]["max_age"],
        routes=routes,
        employment=Employment(
            window_days=data["employment"]["window_days"],
            exclude_categories=tuple(data["employment"]["exclude_categories"]),
        ),
        letter=freeze(data.get("letter") or {}),
        capacity_per_practice=data.get("capacity_per_practice"),
        screening=data.get("screening") or "required",
        source=source,
        sha256=sha256,
    )


def freeze(value: Any) -> Any:
    """A read-only copy: mappings become MappingProxyType, lists tuples."""
    if isinstance(value, dict):
        return types.MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value
