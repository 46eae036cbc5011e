"""The study file's shape, checked key by key with the line each problem is on.

Every problem is (dotted key, message); ``Lines`` maps a dotted key to the line
of the file it came from (or its nearest parent's), so the one-line StudyError
can say "line 14: criteria.c1.records.within_days: must be ...".
"""

from __future__ import annotations

from typing import Any

import yaml

from pipeline import yamlsafe

# key -> kind; a trailing "?" marks the key optional; a dict is a nested shape.
KIND_WORDS = {
    "int": "a whole number of 0 or more",
    "integer": "a whole number",
    "number": "a number",
    "text": "text",
    "texts": "a list of text values",
    "names": "a list of criterion names",
    "bool": "true or false",
    "true": "true",
    "mapping": "a mapping of keys to values",
}
UNLESS_SHAPE = {"codelist": "text", "category_in": "texts?", "same_day": "bool?"}
NODE_SHAPES: dict[str, Any] = {
    "registered": "true",
    "alive": "true",
    "age": {"min": "int", "max": "int"},
    "sex": "texts",
    "records": {
        "codelist": "text",
        "within_days": "int?",
        "min_count": "int?",
        "min_span_days": "int?",
        "distinct_dates": "bool?",
        "source": "text?",
        "category_in": "texts?",
        "unless_later": UNLESS_SHAPE | {"?": True},
    },
    "latest": {"codelist": "text", "within_days": "int?", "category_in": "texts"},
    "value": {
        "codelist": "text",
        "within_days": "int?",
        "which": "text?",
        "operator": "text",
        "threshold": "number",
    },
    "all": "names",
    "any": "names",
    "not": "text",
}
STEP_SHAPE = {"require": "text?", "exclude": "text?", "stop": "text?", "label": "text?"}
TOP_SHAPE: dict[str, Any] = {
    "name": "text",
    "title": "text",
    "description": "text?",
    "codelists": "codelists",
    "criteria": "criteria",
    "steps": "steps",
    "score": "score?",
    "out_of_work_evidence": "text?",
    "require_out_of_work_evidence": "bool?",
    "letter": "mapping?",
    "capacity_per_practice": "int?",
    "screening": "text?",
}


class Lines:
    """Dotted key -> line number (1-based) of a parsed YAML text."""

    def __init__(self, text: str):
        self.lines: dict[str, int] = {}
        try:
            root = yamlsafe.compose(text)
        except (yaml.YAMLError, yamlsafe.UnsafeYaml):
            root = None
        if root is not None:
            self._walk(root, "")

    def _walk(self, node, prefix: str) -> None:
        self.lines.setdefault(prefix, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                where = f"{prefix}.{key.value}" if prefix else str(key.value)
                self.lines[where] = key.start_mark.line + 1
                self._walk(value, where)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, f"{prefix}[{i}]")

    def of(self, where: str) -> int:
        """The line of WHERE, or of its nearest parent that is in the file."""
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where.rsplit(".", 1)[0] if "." in where else where.split("[")[0]
            if where in self.lines:
                return self.lines[where]
            if "." not in where and "[" not in where:
                break
        return self.lines.get(where, 1)


def is_kind(value: Any, kind: str) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "int": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": number,
        "text": isinstance(value, str) and value.strip() != "",
        "texts": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "names": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "bool": isinstance(value, bool),
        "true": value is True,
        "mapping": isinstance(value, dict),
    }[kind]


def check_mapping(data: Any, shape: dict, where: str) -> list[tuple[str, str]]:
    """Unknown keys, missing keys and wrong types of a mapping with a fixed SHAPE."""
    if not isinstance(data, dict):
        keys = ", ".join(k for k in shape if k != "?")
        return [(where, f"must be a mapping with keys {keys}")]
    problems = [
        (_at(where, key), f"unknown key; use one of {', '.join(k for k in shape if k != '?')}")
        for key in data
        if key not in shape or key == "?"
    ]
    for key, kind in shape.items():
        if key == "?":
            continue
        problems += check_value(data.get(key), kind, _at(where, key))
    return problems


def check_value(value: Any, kind: Any, where: str) -> list[tuple[str, str]]:
    optional = kind.get("?", False) if isinstance(kind, dict) else kind.endswith("?")
    if value is None:
        return [] if optional else [(where, "missing; add it (see docs/study-language.md)")]
    if isinstance(kind, dict):
        return check_mapping(value, kind, where)
    kind = kind.rstrip("?")
    if is_kind(value, kind):
        return []
    return [(where, f"must be {KIND_WORDS[kind]}, not {value!r:.40}")]


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else str(key)
