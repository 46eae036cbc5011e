"""Cost per letter of printing letters to PDF: WeasyPrint against headless Chromium.

Renders one practice's pack of N synthetic letters (default 1,000) with the
project's templates, then prints that same letters.html with each renderer,
REPEAT times, and reports the median wall seconds and CPU seconds (the
process's own for WeasyPrint, its children's for Chromium), each per letter.
CPU seconds are the fair comparison on a shared machine; on an idle one the
wall time of one renderer process is about its CPU time.
Chromium is measured only where `chromium` is on PATH (apt-get install chromium).

    .venv/bin/python benchmarks/bench_pdf.py [--letters 1000] [--repeat 3] [--large-print]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.invitations import pdf
from pipeline.invitations.letter_text import LetterText
from pipeline.invitations.letters import LetterRenderer, Pack, Practice

PRACTICE = Practice(
    code="Y90001",
    name="Bench Road Surgery",
    address=("1 High Street", "Benchton", "BN1 1AA"),
    telephone="01632 960001",
    email="bench.surgery@example.nhs.uk",
)


def letters(n: int) -> list[dict]:
    return [
        {
            "invite_ref": f"ABC-{i:03d}-X"[:9],
            "addressee": f"Ms Ann Example{i}",
            "salutation": f"Ms Example{i}",
            "address_line_1": f"{i} Mill Lane",
            "address_line_2": "Benchton",
            "address_line_3": None,
            "address_line_4": None,
            "postcode": "BN1 2CD",
        }
        for i in range(n)
    ]


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children) of FN()."""
    before, started = _cpu(), time.perf_counter()
    fn()
    return time.perf_counter() - started, _cpu() - before


def _subreaper() -> None:
    """Become the parent of Chromium's orphaned helpers, so their CPU time counts as ours."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap() -> None:
    """Wait for every exited descendant (adds its CPU time to RUSAGE_CHILDREN)."""
    import contextlib
    import os

    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _cpu() -> float:
    _reap()
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-print", action="store_true")
    args = parser.parse_args()
    _subreaper()
    work = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    html = LetterRenderer(LetterText(), study_title="InStep").write(
        work / "letters.html",
        PRACTICE,
        letters(args.letters),
        day=dt.date(2024, 5, 3),
        reply_by=dt.date(2024, 5, 24),
        pack=Pack(large_print=args.large_print),
    )
    engines = {"weasyprint": lambda: pdf.weasyprint_pdf(html)}
    if pdf.chromium():
        engines["chromium"] = lambda: pdf.html_to_pdf(
            html, html.with_suffix(".pdf"), browser=pdf.chromium(), timeout=3600
        )
    for name, fn in engines.items():
        runs = [timed(fn) for _ in range(args.repeat)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        size = html.with_suffix(".pdf").stat().st_size
        print(
            f"{name:10} {args.letters} letters: median of {args.repeat}: wall {wall:.1f} s "
            f"({1000 * wall / args.letters:.0f} ms a letter), CPU {cpu:.1f} s "
            f"({1000 * cpu / args.letters:.0f} ms a letter), PDF {size / 1e6:.1f} MB",
            flush=True,
        )
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
