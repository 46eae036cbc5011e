"""`cohort codelists ...`: list, show, diff, import, publish, check (placeholder)."""

from __future__ import annotations


def register(main) -> None:
    pass
