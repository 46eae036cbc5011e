"""`cohort synth`: write synthetic practice extracts (placeholder until the generator lands)."""

from __future__ import annotations


def register(main) -> None:
    pass
