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


class EngineError(CohortError):
    """The engine asked for (--engine spark) is not installed, or could not start."""

    exit_code = 9


class StorageError(CohortError):
    """A disk is full, or a folder the command must write to is read-only."""

    exit_code = 7


# (errno name, text in a library's message, what happened, what to do)
_OS_PROBLEMS = (
    ("ENOSPC", "No space left on device", "the disk is full",
     "free space on that disk (or give --workspace/--out on another), then run the command again"),
    ("EDQUOT", "Disk quota exceeded", "your disk quota is used up",
     "free space or ask for a larger quota, then run the command again"),
    ("EROFS", "Read-only file system", "the folder is on a read-only disk",
     "only read commands (audit verify, explain, dnc list, report yield) work there; copy the "
     "workspace to a writable disk to change it"),
    ("EACCES", "Permission denied", "permission denied",
     "run as the user who owns the workspace, or fix the folder's permissions"),
)  # fmt: skip


def storage_problem(exc: BaseException) -> tuple[str, str] | None:
    """(what happened, what to do) when EXC is a full disk or a read-only folder, else None."""
    import errno as _errno

    code, text = getattr(exc, "errno", None), str(exc)
    for name, phrase, what, fix in _OS_PROBLEMS:
        if code == getattr(_errno, name, None) or phrase in text:
            return what, fix
    return None


def describe_os_error(exc: BaseException) -> str:
    """A short, identifier-free description of EXC for a one-line message."""
    if isinstance(exc, CohortError):
        return exc.message
    found = storage_problem(exc)
    where = getattr(exc, "filename", None)
    if found is not None:
        return f"{found[0]}{f' writing {where}' if where else ''}"
    return type(exc).__name__


def storage_error(exc: BaseException) -> StorageError | None:
    """EXC as a one-line StorageError (a full disk, a read-only folder), or None."""
    found = storage_problem(exc)
    if found is None:
        return None
    where = getattr(exc, "filename", None)
    return StorageError(f"{found[0]}{f' ({where})' if where else ''}: {found[1]}")


def one_line(message: str) -> str:
    """Fold a message to one line for stderr."""
    return " ".join(str(message).split())
