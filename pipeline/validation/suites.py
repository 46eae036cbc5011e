"""Suite files (expectations/NAME.yaml) → checked, frozen specs → GX suites.

A suite file names the tables it checks and, for each, a list of expectations
in Great Expectations' own terms (type, kwargs) plus a one-line description
and a severity in meta (``blocking`` or ``warning``). Everything is checked
when the file is read, and again when GX builds the expectations: GX drops an
expectation whose type it does not know with only a log line, so every
expectation in the file is counted against what GX built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import paths, yamlsafe
from pipeline.errors import ValidationFailed

SEVERITIES = ("blocking", "warning")
EXPECTATION_KEYS = {"description", "type", "kwargs", "meta", "notes"}
EXTRACT_SUITES = ("patients", "events", "medications")


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a suite file: where it is, what it checks, how serious."""

    suite: str
    table: str
    number: int
    description: str
    type: str
    kwargs: Mapping
    severity: str
    unit: str = "rows"
    fix: str | None = None  # meta.fix: how to put a failure right

    @property
    def column(self) -> str | None:
        """The column(s) the expectation is about, for the results (None: the table)."""
        k = self.kwargs
        if "column" in k:
            return str(k["column"])
        names = k.get("column_list") or [k[c] for c in ("column_A", "column_B") if c in k]
        return ", ".join(str(n) for n in names) or None

    def gx_config(self) -> dict:
        """The expectation as GX's ExpectationConfiguration arguments."""
        meta = {"severity": self.severity, "suite": self.suite, "number": self.number}
        return {
            "type": self.type,
            "kwargs": dict(self.kwargs),
            "meta": meta,
            "description": self.description,
        }


@dataclass(frozen=True)
class SuiteFile:
    """A parsed suite file: its name, path and expectations in file order."""

    name: str
    path: Path
    expectations: tuple[ExpectationSpec, ...]

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.table for e in self.expectations))

    def for_table(self, table: str) -> tuple[ExpectationSpec, ...]:
        return tuple(e for e in self.expectations if e.table == table)


def suite_path(name: str, *, directory: Path | None = None) -> Path:
    """expectations/NAME.yaml (paths.EXPECTATIONS_DIR, read when called), or DIRECTORY/NAME.yaml."""
    directory = directory or paths.EXPECTATIONS_DIR
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.yaml"))) or "none"
        raise ValidationFailed(f"{path}: no such validation suite; the suites are {known}")
    return path


def read_suite(name: str, *, directory: Path | None = None) -> SuiteFile:
    """Parse and check expectations/NAME.yaml (no GX needed)."""
    path = suite_path(name, directory=directory)
    try:
        doc = yamlsafe.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        raise ValidationFailed(f"{path}:{line} is not valid YAML; fix the suite file") from None
    tables = _tables(path, doc, name)
    specs, number = [], 0
    for table, items in tables.items():
        for item in items:
            number += 1
            specs.append(_spec(path, item, suite=name, table=table, number=number))
    _check_unique(path, specs)
    return SuiteFile(name=name, path=path, expectations=tuple(specs))


def _tables(path: Path, doc, name: str) -> dict:
    if not isinstance(doc, dict) or set(doc) != {"suite", "tables"}:
        raise ValidationFailed(f"{path}: a suite file has exactly two keys, suite and tables")
    if doc["suite"] != name:
        raise ValidationFailed(
            f"{path}: suite is {doc['suite']!r} but the file is named {name}; make them agree"
        )
    tables = doc["tables"]
    if (
        not isinstance(tables, dict)
        or not tables
        or not all(isinstance(v, list) and v for v in tables.values())
    ):
        raise ValidationFailed(f"{path}: tables must map each table name to a list of expectations")
    return tables


def _spec(path: Path, item, *, suite: str, table: str, number: int) -> ExpectationSpec:
    where = f"{path}: expectation {number} (table {table})"
    if (
        not isinstance(item, dict)
        or not {"description", "type", "meta"} <= set(item) <= EXPECTATION_KEYS
    ):
        raise ValidationFailed(
            f"{where}: needs description, type and meta (kwargs and notes are optional)"
        )
    meta = item["meta"] if isinstance(item["meta"], dict) else {}
    if meta.get("severity") not in SEVERITIES:
        raise ValidationFailed(
            f'{where}, "{item["description"]}": meta.severity must be blocking or warning'
        )
    kwargs = item.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise ValidationFailed(f'{where}, "{item["description"]}": kwargs must be a mapping')
    return ExpectationSpec(
        suite=suite,
        table=table,
        number=number,
        description=str(item["description"]).strip(),
        type=str(item["type"]),
        kwargs=kwargs,
        severity=meta["severity"],
        unit=str(meta.get("unit", "rows")),
        fix=str(meta["fix"]) if meta.get("fix") else None,
    )


def _check_unique(path: Path, specs: list[ExpectationSpec]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for spec in specs:
        key = (spec.table, spec.description)
        if key in seen:
            raise ValidationFailed(
                f"{path}: expectations {seen[key]} and {spec.number} of table {spec.table} are both "
                f'"{spec.description}"; give each a description of its own'
            )
        seen[key] = spec.number


def build_gx_suite(suite: SuiteFile, table: str):
    """The GX ExpectationSuite for TABLE; fails naming any expectation GX did not take."""
    import great_expectations as gx

    specs = suite.for_table(table)
    built = [_build(suite.path, spec) for spec in specs]
    gx_suite = gx.ExpectationSuite(name=f"{suite.name}.{table}", expectations=built)
    if len(gx_suite.expectations) != len(specs):
        raise ValidationFailed(
            f"{suite.path}: GX took {len(gx_suite.expectations)} of the {len(specs)} expectations "
            f"for table {table}; check their types and kwargs"
        )
    return gx_suite


def _build(path: Path, spec: ExpectationSpec):
    """One GX Expectation object, or a one-line error naming the file and the expectation."""
    from great_expectations.compatibility import pydantic
    from great_expectations.exceptions import (
        ExpectationNotFoundError,
        InvalidExpectationConfigurationError,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    where = f'{path}: expectation {spec.number} ("{spec.description}")'
    try:
        return ExpectationConfiguration(**spec.gx_config()).to_domain_obj()
    except ExpectationNotFoundError:
        raise ValidationFailed(
            f"{where} has type {spec.type}, which Great Expectations does not know; fix the type"
        ) from None
    except (
        InvalidExpectationConfigurationError,
        pydantic.ValidationError,
        TypeError,
        ValueError,
    ) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise ValidationFailed(
            f"{where} is not a valid {spec.type} ({reason}); fix its kwargs"
        ) from None
