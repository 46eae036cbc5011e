"""A study definition (studies/*.yaml) as small frozen, self-checking objects.

A study names its codelists (alias -> published name and version), a tree of
named criteria (pipeline/study/nodes.py), the ordered eligibility steps that
require or exclude criteria, and an optional score. The file is validated as
a whole (pipeline/study/checks.py): every problem is collected and StudyError
names them on one line with the line of the file each is on. The model holds
numbers, names and codelist pins only; pipeline/study/compile.py makes the SQL.
"""

from __future__ import annotations

import hashlib
import types
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from pipeline import yamlsafe
from pipeline.errors import StudyError
from pipeline.study import nodes as N
from pipeline.study.build import build_criteria, build_steps
from pipeline.study.checks import check_study
from pipeline.study.shape import Lines

OUT_OF_WORK_STOP = "no_out_of_work_evidence"


@dataclass(frozen=True)
class CodelistRef:
    role: str  # the alias the study's criteria use
    name: str
    version: str


@dataclass(frozen=True)
class Study:
    name: str
    title: str
    description: str
    codelists: tuple[CodelistRef, ...]
    criteria: tuple[N.Criterion, ...]
    steps: tuple[N.Step, ...]
    score: tuple[tuple[str, int], ...] = ()
    out_of_work_evidence: str | None = None
    letter: types.MappingProxyType = field(default_factory=lambda: types.MappingProxyType({}))
    capacity_per_practice: int | None = None  # letters per practice per run; None: no limit
    screening: str = "required"  # required | off (docs/invitations.md)
    source: str = ""
    sha256: str = ""

    def __post_init__(self):
        names = [c.name for c in self.criteria]
        assert len(set(names)) == len(names), "criterion names repeat"
        for c in self.criteria:
            assert set(c.members()) <= set(names), f"{c.name} refers to a missing criterion"
        assert {s.criterion for s in self.steps} <= set(names), "a step names a missing criterion"

    def criterion(self, name: str) -> N.Criterion:
        return next(c for c in self.criteria if c.name == name)

    def all_steps(self) -> tuple[N.Step, ...]:
        """The study's steps, then the built-in final steps every study gets."""
        built_in = tuple(N.Step(stop, "", False, label) for stop, label in N.BUILT_IN_STEPS)
        return self.steps + built_in

    def parameters(self) -> dict[str, int | float | str]:
        """Every number of the study, flat (criterion_key -> value); sorted by name."""
        params: dict[str, int | float | str] = {}
        for c in self.criteria:
            params |= _node_parameters(c.name, c.node)
        params |= {f"score_{name}": points for name, points in self.score}
        return dict(sorted(params.items()))

    def codelist_refs(self) -> tuple[tuple[str, str, str], ...]:
        """(alias, codelist name, version) for every codelist the study pins, in file order."""
        return tuple((ref.role, ref.name, ref.version) for ref in self.codelists)

    def codelist(self, role: str) -> CodelistRef:
        return next(ref for ref in self.codelists if ref.role == role)

    def with_codelist_version(self, name: str, version: str) -> Study:
        """The same study with every alias that uses codelist NAME pinned to VERSION."""
        if name not in {ref.name for ref in self.codelists}:
            used = ", ".join(sorted({ref.name for ref in self.codelists}))
            raise StudyError(
                f"study {self.name} does not use a codelist called {name}; it uses {used}"
            )
        refs = tuple(replace(r, version=version) if r.name == name else r for r in self.codelists)
        return replace(self, codelists=refs)


def _node_parameters(name: str, node: N.Node) -> dict:
    if isinstance(node, N.All | N.Any | N.Not | N.Registered | N.Alive):
        return {}
    out = {}
    for key, value in vars(node).items():
        if key in ("codelist", "unless") or value in (None, (), False):
            continue
        out[f"{name}_{key}"] = ",".join(value) if isinstance(value, tuple) else value
    if isinstance(node, N.Records) and node.unless:
        out[f"{name}_unless_later"] = node.unless.codelist
    return out


def load_study(path: Path | str, *, repository=None) -> Study:
    """Read and validate a study file; StudyError lists every problem on one line.

    REPOSITORY is the codelist repository the pins are checked against
    (default: pipeline.codelists.repository.load_repository())."""
    path = Path(path)
    text = _read(path)
    data = yaml_words(_parse(path, text))
    problems = check_study(data, repository=_repository(repository))
    if problems:
        raise StudyError(summary(path, problems, Lines(text)))
    return build_study(data, source=str(path), sha256=hashlib.sha256(text.encode()).hexdigest())


def yaml_words(data: dict) -> dict:
    """`screening: off` as written: YAML 1.1 reads a bare off/on as false/true."""
    if isinstance(data, dict) and isinstance(data.get("screening"), bool):
        return {**data, "screening": "required" if data["screening"] else "off"}
    return data


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
            f"{path}: must be a YAML mapping (name:, title:, codelists:, criteria:, steps:); "
            "see studies/instep.yaml"
        )
    if "criteria" not in data and {"population", "chronic_pain", "employment"} & data.keys():
        raise StudyError(
            f"{path}: line 1: this is the study format of before the study language "
            f"(population:, chronic_pain:, employment:); convert it with "
            f"`cohort upgrade-study {path}` (docs/study-language.md, 'Upgrading an old study file')"
        )
    return data


def summary(path: Path, problems: list[tuple[str, str]], lines: Lines) -> str:
    """One line: the file, then each problem as 'line N: key: what to do'."""
    said = [f"line {lines.of(where)}: {where}: {message}" for where, message in problems]
    shown = "; ".join(said[:6])
    more = f"; and {len(said) - 6} more" if len(said) > 6 else ""
    count = f"{len(said)} problems: " if len(said) > 1 else ""
    return f"{path}: {count}{shown}{more}"


def build_study(data: dict, *, source: str = "", sha256: str = "") -> Study:
    """The frozen Study from an already validated mapping."""
    pins = data["codelists"]
    criteria = build_criteria(data["criteria"])
    return Study(
        name=data["name"],
        title=data["title"].strip(),
        description=(data.get("description") or "").strip(),
        codelists=tuple(
            CodelistRef(alias, p["name"], str(p["version"])) for alias, p in pins.items()
        ),
        criteria=criteria,
        steps=build_steps(data, criteria, out_of_work_stop=OUT_OF_WORK_STOP),
        score=tuple((name, int(points)) for name, points in (data.get("score") or {}).items()),
        out_of_work_evidence=data.get("out_of_work_evidence"),
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
