"""YAML that cannot blow up: every YAML file the project reads goes through here.

YAML anchors and aliases (``&a`` / ``*a``) let a few hundred bytes expand into
gigabytes (the "billion laughs" alias bomb): a manifest or study file holding
one would run for a minute and end in MemoryError. No file this project reads
needs them, so they are refused before anything is built, as is nesting deeper
than MAX_DEPTH. The check walks the parser's event stream (no objects are
made), so it costs one quick pass over the text.

    data = yamlsafe.safe_load(text)               # like yaml.safe_load
    node = yamlsafe.compose(text, Loader=...)     # like yaml.compose

Both raise ``UnsafeYaml`` (a ``yaml.MarkedYAMLError``, so existing
``except yaml.YAMLError`` handlers catch it) for an alias, an anchor or too deep
nesting, and plain ``yaml.YAMLError`` for a syntax error; ``describe(exc)``
turns either into one line ("line 3, column 7: ...") for the caller's error.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnsafeYaml(yaml.MarkedYAMLError):
    """An alias, anchor or too deep nesting: refused before anything was built."""

    def __init__(self, problem: str, mark):
        super().__init__(problem=problem, problem_mark=mark)
        self.reason = problem

    def __str__(self) -> str:
        return describe(self)


def check(text: str) -> None:
    """Raise UnsafeYaml if TEXT holds an anchor, an alias or nests deeper than MAX_DEPTH."""
    try:
        _check_events(yaml.parse(text, Loader=_Parser))
    except UnsafeYaml:
        raise
    except yaml.YAMLError:
        return  # a syntax error: the loader itself reports it, with its usual position


def _check_events(events) -> None:
    depth = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            raise UnsafeYaml(
                f"YAML alias *{event.anchor} is not allowed (aliases can expand without bound); "
                "write the value out in full",
                event.start_mark,
            )
        if getattr(event, "anchor", None) is not None:
            raise UnsafeYaml(
                f"YAML anchor &{event.anchor} is not allowed; write the value out in full "
                "where it is used",
                event.start_mark,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise UnsafeYaml(
                    f"nested more than {MAX_DEPTH} levels deep; flatten the file",
                    event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def safe_load(text: str) -> Any:
    """yaml.safe_load after check(): plain dicts, lists, strings, numbers, dates."""
    check(text)
    return yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - a safe loader


def compose(text: str, *, Loader=yaml.SafeLoader) -> yaml.Node | None:  # noqa: N803 - yaml's name
    """yaml.compose after check() (for readers that keep line numbers)."""
    check(text)
    return yaml.compose(text, Loader=Loader)


def describe(exc: yaml.YAMLError) -> str:
    """One line for EXC: where (line, column) and what, with a hint to fix it."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    if isinstance(exc, UnsafeYaml):
        return f"{where}{exc.reason}"
    problem = getattr(exc, "problem", None) or "not valid YAML"
    return f"{where}not valid YAML ({problem}); check the indentation and quoting there"
