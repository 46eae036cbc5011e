"""Assertions shared by the loader tests."""

from __future__ import annotations

from .builders import SECRETS


def assert_message(exc: Exception, *parts: str) -> str:
    """EXC's message holds every part and no patient value; returns the message."""
    text = str(exc)
    for part in parts:
        assert part in text, f"{part!r} not in {text!r}"
    assert "\n" not in text
    for secret in SECRETS:
        assert secret not in text, f"patient value {secret!r} in {text!r}"
    return text
