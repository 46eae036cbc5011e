"""Letters as PDF: headless Chromium where installed, else WeasyPrint (pip, on the system's Pango).

The HTML pack is the printable original; the PDF is what a practice prints.
Chosen on measurement (benchmarks/bench_pdf.py, docs/invitations.md): headless
Chromium prints a letter several times faster than WeasyPrint, so it is used
where ``chromium`` is on PATH. A fresh machine has no Chromium, so WeasyPrint,
which installs with the project and uses the Pango library that a standard
Debian/Ubuntu image already has, prints them there (``make demo``). When neither
works the run stops before it starts, with one line saying what to install or
to use ``--pdf never``: never a run that quietly has no PDFs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from pipeline.errors import UsageError, WorkspaceError
from pipeline.fsutil import PRIVATE_FILE, fsync_dir

log = logging.getLogger(__name__)

PANGO_HINT = (
    "install Pango (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0) "
    "or Chromium (apt-get install chromium)"
)
INSTALL_HINT = PANGO_HINT
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
WORKERS = max(1, min(2, os.cpu_count() or 1))


def chromium() -> str | None:
    return shutil.which("chromium")


@cache
def weasyprint_problem() -> str | None:
    """None when WeasyPrint loads; otherwise why not, in a few words."""
    try:
        import weasyprint  # noqa: F401
    except (OSError, ImportError) as exc:  # OSError: cffi could not load Pango
        return f"WeasyPrint cannot load ({type(exc).__name__}: {str(exc).splitlines()[0][:80]})"
    return None


def renderer(mode: str) -> str | None:
    """Which renderer prints the PDFs for --pdf MODE: weasyprint, chromium or None (never).

    UsageError, one line, when PDFs are wanted and nothing can print them.
    """
    if mode == "never":
        return None
    if chromium():
        return "chromium"
    if weasyprint_problem() is None:
        return "weasyprint"
    raise UsageError(
        f"--pdf {mode}: cannot make letters.pdf: {weasyprint_problem()}; {PANGO_HINT}, "
        "or run with --pdf never for HTML letters only"
    )


def print_all(packs: list[tuple[Path, int]], *, engine: str) -> list[Path]:
    """Print each (letters.html, letter count) to the PDF beside it; return the PDFs made.

    WeasyPrint runs in WORKERS child processes (it is single-threaded), the
    packs shared out by letter count; a failure stops the run (WorkspaceError).
    """
    if not packs:
        return []
    if engine == "chromium":
        made = [_chromium_pdf(html, letters) for html, letters in packs]
        return [html.with_suffix(".pdf") for (html, _), ok in zip(packs, made, strict=True) if ok]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipeline.invitations.print_worker", *map(str, group)]
        )
        for group in share_out(packs, WORKERS)
    ]
    failed = [p for p in procs if p.wait() != 0]
    if failed:
        raise WorkspaceError(
            f"WeasyPrint could not print {len(failed)} group(s) of letters.pdf (its message is above); "
            "nothing was committed: fix it and run again, or run with --pdf never"
        )
    return [html.with_suffix(".pdf") for html, _ in packs]


def share_out(packs: list[tuple[Path, int]], workers: int) -> list[list[Path]]:
    """PACKS in at most WORKERS groups of about equal letter counts (largest first)."""
    groups: list[tuple[int, list[Path]]] = [(0, []) for _ in range(min(workers, len(packs)))]
    for html, letters in sorted(packs, key=lambda pack: -pack[1]):
        total, paths = min(groups, key=lambda group: group[0])
        groups.remove((total, paths))
        groups.append((total + max(letters, 1), [*paths, html]))
    return [paths for _, paths in groups]


def weasyprint_pdf(html: Path) -> bool:
    """Print HTML to the PDF beside it with WeasyPrint (owner-only, atomically)."""
    import weasyprint

    pdf = html.with_suffix(".pdf")
    with _private_tmp(pdf) as out:
        weasyprint.HTML(filename=str(html), base_url=str(html.parent)).write_pdf(out)
        os.replace(out, pdf)
    fsync_dir(pdf.parent)
    return True


@contextlib.contextmanager
def _private_tmp(pdf: Path):
    fd, tmp = tempfile.mkstemp(prefix=f".{pdf.name}.", suffix=".tmp", dir=pdf.parent)
    os.fchmod(fd, PRIVATE_FILE)
    os.close(fd)
    try:
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def time_limit(letters: int) -> float:
    """Seconds Chromium may take for a pack of LETTERS pages before it counts as hung."""
    return 90 + 0.5 * letters


def _chromium_pdf(html: Path, letters: int) -> bool:
    return html_to_pdf(
        html,
        html.with_suffix(".pdf"),
        browser=chromium() or "chromium",
        timeout=time_limit(letters),
    )


def html_to_pdf(html: Path, pdf: Path, *, browser: str, timeout: float) -> bool:
    """Print HTML to PDF with Chromium (owner-only, atomically); False, with a warning, if it fails.

    Paths may be relative (a release stages its letters relative to the workspace):
    Chromium is given absolute ones, as a file URI needs."""
    html, pdf = html.resolve(), pdf.resolve()
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
