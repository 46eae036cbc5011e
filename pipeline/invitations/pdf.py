"""Letters as PDF through headless Chromium's print-to-PDF, when Chromium is installed.

The HTML pack is the printable original; the PDF is a convenience. Without
``chromium`` on PATH the PDF is skipped with a warning saying what to install.
"""

from __future__ import annotations

import logging
import os
import shutil
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
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def chromium() -> str | None:
    return shutil.which("chromium")


def html_to_pdf(html: Path, pdf: Path, *, browser: str, timeout: float = 120) -> bool:
    """Print HTML to PDF (owner-only, atomically); False, with a warning, if Chromium fails."""
    with tempfile.TemporaryDirectory(prefix=".chromium-", dir=pdf.parent) as tmp:
        out = Path(tmp) / pdf.name
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            html.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            log.warning(
                "%s not made: Chromium took longer than %d s; print %s from a browser",
                pdf.name,
                timeout,
                html,
            )
            return False
        if done.returncode != 0 or not out.is_file():
            log.warning(
                "%s not made: Chromium exited with status %d; print %s from a browser",
                pdf.name,
                done.returncode,
                html,
            )
            return False
        os.chmod(out, PRIVATE_FILE)
        os.replace(out, pdf)
    fsync_dir(pdf.parent)
    return True
