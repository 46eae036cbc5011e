"""Codelist YAML: read keeping line numbers and the raw text of every value; write stably.

Plain YAML loading turns ``040702`` into the octal number 16834 and ``2024-01-02``
into a date. Here every scalar stays the text that was written (only a plain ``null`` or
empty value becomes None; the reader of a field decides what ``true`` means),
and every mapping remembers its line so problems can say ``file:line``.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from pipeline import yamlsafe

# Base loaders resolve no implicit types (every scalar stays text), which is what we want and faster.
Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
BOOLEANS = {"true": True, "false": False}
NULLS = {"", "~", "null"}


class Mapping(dict):
    """A YAML mapping with the line of its first key and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def read_yaml(text: str) -> Any:
    """Parse TEXT into Mapping / list / str / None (raises yaml.YAMLError; aliases refused)."""
    node = yamlsafe.compose(text, Loader=Loader)  # refuses aliases (alias bombs)
    return None if node is None else _plain(node)


def _plain(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return _mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if not node.style and node.value.lower() in NULLS:  # plain (libyaml says "", PyYAML None)
        return None
    return node.value


def boolean(value: Any) -> bool | None:
    """``true`` / ``false`` (any case) as a bool; None for anything else."""
    return BOOLEANS.get(str(value).lower()) if value is not None else None


def _mapping(node: yaml.MappingNode) -> Mapping:
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = str(_plain(key_node))
        result.key_lines[key] = key_node.start_mark.line + 1
        result[key] = _plain(value_node)
    return result


def scalar(value: Any) -> str:
    """VALUE as a YAML scalar that reads back as the same text (JSON strings are YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value), ensure_ascii=False)


def flow(mapping: dict) -> str:
    """A one-line YAML mapping, keys in the order given, null values left out."""
    items = ", ".join(f"{k}: {scalar(v)}" for k, v in mapping.items() if v is not None)
    return "{" + items + "}"
