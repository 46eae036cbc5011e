"""Progress for people at a terminal, JSON lines for schedulers, silence otherwise.

Messages carry step names, ids and counts only, never patient data.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator


class Progress:
    def __init__(self, *, quiet: bool = False, log_json: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.log_json = log_json
        self.quiet = quiet or (not log_json and not self.stream.isatty())

    def event(self, kind: str, **fields) -> None:
        if self.log_json:
            record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": kind, **fields}
            print(json.dumps(record, default=str), file=self.stream, flush=True)

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        started = time.perf_counter()
        self.event("step_started", step=label)
        if not self.quiet:
            print(f"  … {label}", file=self.stream, end="\r", flush=True)
        try:
            yield
        except BaseException:
            self.event("step_failed", step=label, seconds=round(time.perf_counter() - started, 3))
            if not self.quiet:
                print(f"  ✗ {label}", file=self.stream, flush=True)
            raise
        seconds = time.perf_counter() - started
        self.event("step_finished", step=label, seconds=round(seconds, 3))
        if not self.quiet:
            print(f"  ✓ {label} ({seconds:.1f} s)", file=self.stream, flush=True)
