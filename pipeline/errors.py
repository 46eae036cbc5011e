"""Every error a user can see, in one place.

A user error prints as one line on stderr (``cohort: <message>``) and maps to an
exit code. Messages name files, row numbers, columns and counts, and say what to
do; they never carry a patient's name, NHS number, address or date of birth.
Internal bugs are plain assertions and exceptions, not these classes.
"""

from __future__ import annotations


class CohortError(Exception):
    """A problem the user can fix. ``exit_code`` is documented in docs/errors.md."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(CohortError):
    """Wrong command-line arguments or options."""

    exit_code = 2


class ExtractError(CohortError):
    """The practice extract breaks the input contract (docs/extract-format.md)."""

    exit_code = 3

    def __init__(self, message: str, *, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


class CodelistError(CohortError):
    """A codelist file, version or the lock file is wrong."""

    exit_code = 4


class StudyError(CohortError):
    """The study definition file is wrong."""

    exit_code = 5


class ValidationFailed(CohortError):
    """A blocking Great Expectations check failed; nothing was invited."""

    exit_code = 6


class WorkspaceError(CohortError):
    """The workspace (ledger, audit log, do-not-contact list) is busy or damaged."""

    exit_code = 7


class AuditError(CohortError):
    """The audit log or a referenced file does not verify."""

    exit_code = 8


def one_line(message: str) -> str:
    """Fold a message to one line for stderr."""
    return " ".join(str(message).split())
