"""Progress for people at a terminal, JSON lines for schedulers, silence otherwise.

Four modes, chosen once when the command starts:

- a terminal (stderr is a tty): a live rich display of the running step with a
  spinner, a bar with counts (``3/9 practices``) and the time left when the
  number of sub-steps is known, and the elapsed time; each finished step leaves
  one line (``✓ Loading practice extracts (1,234,567 rows loaded)  3.2 s``);
- ``--log-json``: one JSON object per line on stderr (``step_started``,
  ``step_progress``, ``step_finished``, ``step_failed`` and any ``event()``);
- piped or to a log file (cron): one plain line per finished step, with the
  time, its counts and its duration
  (``10:04:31 done Loading practice extracts (1,234,567 rows loaded) in 3.2 s``);
- ``--quiet``: nothing.

Callers report work inside a step with ``advance(label)`` or ``substep(label)``
(docs/report.md). Messages carry step names, ids and counts only, never
patient data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import (
    BarColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

from pipeline.errors import CohortError, one_line


@dataclass
class _Step:
    label: str
    started: float
    total: int | None = None
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    unit: str = ""


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _error_fields(exc: BaseException) -> dict[str, object]:
    """What a scheduler needs to know about a failure: the class, and for user
    errors (one line, never patient data) the message and exit code."""
    fields: dict[str, object] = {"error": type(exc).__name__}
    if isinstance(exc, CohortError):
        fields.update(exit_code=exc.exit_code, message=one_line(exc.message))
    return fields


class _JsonLogFormatter(logging.Formatter):
    """Warnings as JSON lines, so --log-json output stays machine-readable."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "ts": _utc_now(),
                "event": "log",
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": one_line(record.getMessage()),
            }
        )


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Progress:
    """Shows what a command is doing; see the module docstring for the modes."""

    def __init__(self, *, quiet: bool = False, log_json: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.log_json = log_json
        self.quiet = quiet or log_json or not _is_tty(self.stream)
        self.plain = not (quiet or log_json) and self.quiet  # piped: a line per step
        self.started = time.perf_counter()
        self._bound: dict[str, object] = {}
        self._steps: list[_Step] = []
        self._console = None if self.quiet else Console(file=self.stream, highlight=False)
        self._live: RichProgress | None = None
        self._task = None
        self._redirected: list[logging.StreamHandler] = []
        if log_json:
            self._json_logging()

    # -- structured log -------------------------------------------------------
    def bind(self, **fields) -> None:
        """Add FIELDS (e.g. run_id) to every later JSON event."""
        self._bound.update(fields)

    def event(self, kind: str, **fields) -> None:
        """One JSON line on stderr with --log-json; nothing otherwise."""
        if self.log_json:
            record = {"ts": _utc_now(), "event": kind, **self._bound, **fields}
            print(json.dumps(record, default=str), file=self.stream, flush=True)

    @property
    def elapsed(self) -> float:
        """Seconds since this Progress was made (the command's running time)."""
        return time.perf_counter() - self.started

    # -- steps ----------------------------------------------------------------
    @contextlib.contextmanager
    def step(self, label: str, *, total: int | None = None) -> Iterator[Progress]:
        """A long step; inside another step it counts as one of its sub-steps."""
        if self._steps:
            with self.substep(label):
                yield self
            return
        current = _Step(label, time.perf_counter(), total)
        self._steps.append(current)
        self.event("step_started", step=label, **({"total": total} if total else {}))
        self._start_live(current)
        try:
            yield self
        except BaseException as exc:
            self._finish(current, ok=False, error=_error_fields(exc))
            raise
        self._finish(current, ok=True)

    def set_total(self, total: int, *, unit: str = "") -> None:
        """How many sub-steps the running step has, and what they are (a bar, N/M UNIT, time left)."""
        if self._steps:
            self._steps[0].total = total
            self._steps[0].unit = unit
            self._refresh(self._steps[0])

    def count(self, **counts: int) -> None:
        """Add COUNTS (rows_loaded=…, letters_written=…) to the running step's closing line."""
        if self._steps:
            for key, value in counts.items():
                self._steps[0].counts[key] = self._steps[0].counts.get(key, 0) + int(value)

    def advance(self, label: str | None = None, *, n: int = 1, **counts: int) -> None:
        """N more sub-steps of the running step are done; LABEL names the last one.

        COUNTS (rows=…, files=…) are added up for the step's closing line and
        logged with this sub-step.
        """
        self._advance(label, n=n, counts=counts)

    @contextlib.contextmanager
    def substep(self, label: str) -> Iterator[dict[str, int]]:
        """One sub-step of the running step; put counts in the yielded dict."""
        counts: dict[str, int] = {}
        started = time.perf_counter()
        if self._steps:
            self._refresh(self._steps[0], f"{label} …")
        yield counts
        self._advance(label, n=1, counts=counts, seconds=round(time.perf_counter() - started, 3))

    def _advance(self, label: str | None, *, n: int, counts: dict[str, int], **extra) -> None:
        if not self._steps:
            return
        current = self._steps[0]
        current.done += n
        for key, value in counts.items():
            current.counts[key] = current.counts.get(key, 0) + int(value)
        total = {"total": current.total} if current.total else {}
        self.event(
            "step_progress",
            step=current.label,
            item=label,
            done=current.done,
            **total,
            **counts,
            **extra,
        )
        self._refresh(current, label)

    # -- terminal display ----------------------------------------------------
    def _start_live(self, current: _Step) -> None:
        if self._console is None:
            return
        self._live = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[count]}"),
            TimeRemainingColumn(compact=True),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
        )
        self._task = self._live.add_task(current.label, total=current.total, count="")
        self._live.start()
        self._redirect_logging(to=sys.stderr)

    def _refresh(self, current: _Step, label: str | None = None) -> None:
        if self._live is None:
            return
        unit = f" {current.unit}" if current.unit else ""
        count = (
            f"{current.done:,}/{current.total:,}{unit}"
            if current.total
            else (f"{current.done:,}{unit}" if current.done else "")
        )
        text = f"{current.label} · {label}" if label else current.label
        self._live.update(
            self._task, description=text, total=current.total, completed=current.done, count=count
        )

    def _finish(self, current: _Step, *, ok: bool, error: dict | None = None) -> None:
        seconds = time.perf_counter() - current.started
        self._steps.clear()
        if ok:
            self.event(
                "step_finished", step=current.label, seconds=round(seconds, 3), **current.counts
            )
        else:
            self.event(
                "step_failed", step=current.label, seconds=round(seconds, 3), **(error or {})
            )
        detail = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in current.counts.items())
        if self.plain:
            self._plain_line(current.label, detail, seconds=seconds, ok=ok)
        if self._live is None:
            return
        self._redirect_logging(to=self.stream)
        self._live.stop()
        self._live = None
        mark = "[green]✓[/]" if ok else "[bold red]✗[/]"
        detail = f" [dim]({detail})[/]" if detail else ""
        self._console.print(f"  {mark} {current.label}{detail}  [dim]{seconds:.1f} s[/]")

    def _plain_line(self, label: str, detail: str, *, seconds: float, ok: bool) -> None:
        """One line for a log file: time, outcome, step, counts, duration (no colour)."""
        clock = dt.datetime.now().strftime("%H:%M:%S")
        detail = f" ({detail})" if detail else ""
        word = "done" if ok else "FAILED"
        print(f"{clock} {word} {label}{detail} in {seconds:.1f} s", file=self.stream, flush=True)

    def _json_logging(self) -> None:
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler and handler.stream is self.stream:
                handler.setFormatter(_JsonLogFormatter())

    def _redirect_logging(self, *, to) -> None:
        """Log lines written during a live display go above it, not through it."""
        if to is self.stream:
            for handler in self._redirected:
                handler.setStream(self.stream)
            self._redirected = []
            return
        for handler in logging.getLogger().handlers:
            if (
                type(handler) is logging.StreamHandler
                and handler.stream is self.stream
                and to is not self.stream
            ):
                handler.setStream(to)
                self._redirected.append(handler)
