"""Letters as PDF through headless Chromium's print-to-PDF, when Chromium is installed.

The HTML pack is the printable original; the PDF is a convenience. Without
``chromium`` on PATH the PDF is skipped with a warning saying what to install.
Chromium runs in its own process group with a throwaway profile inside the
staging folder, and the whole group is killed if it overruns its time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from pipeline.fsutil import PRIVATE_FILE, fsync_dir

log = logging.getLogger(__name__)

INSTALL_HINT = "install it (Debian/Ubuntu: apt-get install chromium)"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-crash-reporter",
    "--disable-breakpad",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def chromium() -> str | None:
    return shutil.which("chromium")


def time_limit(letters: int) -> float:
    """Seconds Chromium may take for a pack of LETTERS pages before it counts as hung."""
    return 90 + 0.5 * letters


def html_to_pdf(html: Path, pdf: Path, *, browser: str, timeout: float) -> bool:
    """Print HTML to PDF (owner-only, atomically); False, with a warning, if Chromium fails."""
    with tempfile.TemporaryDirectory(
        prefix=".chromium-", dir=pdf.parent, ignore_cleanup_errors=True
    ) as tmp:
        out = Path(tmp) / pdf.name
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            html.as_uri(),
        ]
        status = _run(command, timeout=timeout)
        if status is None or status != 0 or not out.is_file():
            why = (
                f"Chromium took longer than {timeout:.0f} s"
                if status is None
                else f"Chromium exited with status {status}"
            )
            log.warning("%s not made: %s; print %s from a browser", pdf.name, why, html)
            return False
        os.chmod(out, PRIVATE_FILE)
        os.replace(out, pdf)
    fsync_dir(pdf.parent)
    return True


def _run(command: list[str], *, timeout: float) -> int | None:
    """COMMAND's exit status, or None when it overran TIMEOUT (its whole process group is killed)."""
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    """Chromium leaves helper processes behind; end every process of its session."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
