"""`cohort run`: placeholder, filled in by pipeline.run."""

from __future__ import annotations


def register(main) -> None:
    pass
