"""Whether a run is screened by a GP: the study's ``screening:`` setting, or
``cohort run --screening off --reason TEXT`` for one run (recorded with who chose it)."""

from __future__ import annotations

from pipeline.errors import UsageError
from pipeline.workspace import operator

MODES = ("required", "off")


def check_screening_options(screening: str | None, reason: str | None) -> None:
    """--screening off needs a reason; a reason needs --screening off."""
    if screening is not None and screening not in MODES:
        raise UsageError(f"--screening {screening}: use --screening off or --screening required")
    if screening == "off" and not (reason or "").strip():
        raise UsageError(
            "--screening off needs --reason TEXT: say why no GP reviews this run's list "
            "(kept in the audit log; write no patient details)"
        )
    if reason is not None and screening != "off":
        raise UsageError(
            "--reason is only for --screening off; leave it out or add --screening off"
        )


def screening_settings(*, study, screening: str | None, reason: str | None) -> dict:
    """What the run record and audit log keep about screening for this run."""
    check_screening_options(screening, reason)
    mode = screening or study.screening
    settings = {"mode": mode, "from": "--screening" if screening else "study"}
    if screening == "off":
        settings |= {"reason": reason.strip(), "chosen_by": operator()}
    return settings


def ledger_status(settings: dict) -> str:
    """The ledger status of a run's chosen people: letters now, or a GP first."""
    return "awaiting_screening" if settings.get("mode") == "required" else "active"


def run_screening(settings: dict) -> str:
    """runs.screening for a committed run: awaiting (a GP decides), off (this run
    skipped it) or not_required (the study does not ask for it)."""
    if settings.get("mode") == "required":
        return "awaiting"
    return "off" if settings.get("from") == "--screening" else "not_required"
