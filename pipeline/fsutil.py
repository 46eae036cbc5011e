"""Files that appear whole or not at all, readable by their owner only.

Files holding patient data are created with mode 0600 and folders 0700; the CLI
also sets umask 077 so nothing it creates is readable by others.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Create PATH (and parents) if needed, owner-only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def injected_enospc(where: str) -> None:
    """Test-only: raise ENOSPC here when COHORT_FAULT=enospc:WHERE (tests/faults, where no
    small filesystem can be mounted)."""
    if os.environ.get("COHORT_FAULT") == f"enospc:{where}":
        raise OSError(errno.ENOSPC, "No space left on device", f"[injected at {where}]")


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", **kwargs) -> Iterator:
    """Write to a hidden temporary file beside PATH, fsync, then rename over PATH."""
    injected_enospc(path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, PRIVATE_FILE)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write_text(
    path: Path, text: str, *, encoding: str = "utf-8", newline: str | None = None
) -> None:
    with atomic_open(path, "w", encoding=encoding, newline=newline) as fh:
        fh.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def fsync_dir(path: Path) -> None:
    """Make a rename in PATH durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block ends: a commit point runs to its end.

    Yields the list of signals that arrived meanwhile (the caller says so).
    A kill -9 cannot be held: pipeline/journal.py's recovery covers that.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {
        s: signal.signal(s, lambda n, _f: received.append(n))
        for s in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
