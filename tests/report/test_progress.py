"""What a person at a terminal, a pipe and a scheduler each see from a command."""

import io
import json
import os
import re
import select
import threading
import time

import pytest

from pipeline.errors import ExtractError
from pipeline.paths import ROOT
from pipeline.progress import Progress

from .fixtures import PLANTED, write_extract
from .terminal import COHORT, run_on_tty, run_piped

ANSI = re.compile(r"\x1b\[")


@pytest.fixture(scope="module")
def broken_extract(tmp_path_factory):
    return write_extract(tmp_path_factory.mktemp("extract"), broken=True)


# -- the Progress class ----------------------------------------------------------------
def test_progress_writes_one_plain_line_per_step_when_not_on_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream=stream)
    with progress.step("Loading practice extracts", total=2):
        with progress.substep("J82001 patients") as counts:
            counts["rows"] = 10
        progress.advance("J82001 events", rows=5)
        progress.count(rows_loaded=1234567)
    with pytest.raises(ExtractError), progress.step("Validating the extracts"):
        raise ExtractError("bad")
    progress.event("anything", n=1)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and not ANSI.search(stream.getvalue())
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d done Loading practice extracts \(15 rows, 1,234,567 rows loaded\) in \d+\.\d s",
        lines[0],
    )
    assert re.fullmatch(r"\d\d:\d\d:\d\d FAILED Validating the extracts in \d+\.\d s", lines[1])


def test_quiet_is_silent_when_not_on_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream=stream, quiet=True)
    with progress.step("Loading practice extracts", total=2):
        progress.advance("J82001 events", rows=5)
    assert stream.getvalue() == ""


def test_log_json_writes_one_event_per_line_with_ids_and_counts():
    stream = io.StringIO()
    progress = Progress(log_json=True, stream=stream)
    progress.bind(run_id="R1")
    with progress.step("Loading practice extracts", total=2):
        with progress.substep("J82001 patients") as counts:
            counts["rows"] = 10
        progress.advance("J82001 events", rows=5)
    with pytest.raises(ExtractError), progress.step("Validating the extracts"):
        raise ExtractError("patients.csv: 2 rows with a blank patient_id (rows 3, 4)")
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["event"] for e in events] == [
        "step_started",
        "step_progress",
        "step_progress",
        "step_finished",
        "step_started",
        "step_failed",
    ]
    assert all(e["run_id"] == "R1" and e["ts"].endswith("Z") for e in events)
    first = {k: events[1][k] for k in ("step", "item", "done", "total", "rows")}
    assert first == {
        "step": "Loading practice extracts",
        "item": "J82001 patients",
        "done": 1,
        "total": 2,
        "rows": 10,
    }
    assert isinstance(events[1]["seconds"], float)
    assert events[3]["rows"] == 15 and events[3]["step"] == "Loading practice extracts"
    assert events[5]["exit_code"] == 3 and events[5]["error"] == "ExtractError"


class _Reader(threading.Thread):
    """Reads a terminal's output as it is written, so the writer never blocks."""

    def __init__(self, fd: int):
        super().__init__(daemon=True)
        self.fd, self.chunks, self.done = fd, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set() or select.select([self.fd], [], [], 0.3)[0]:
            if select.select([self.fd], [], [], 0.1)[0]:
                self.chunks.append(os.read(self.fd, 65536))

    def text(self) -> str:
        self.done.set()
        self.join(timeout=10)
        return b"".join(self.chunks).decode("utf-8", "replace")


def test_progress_on_a_terminal_draws_steps_with_elapsed_time():
    master, slave = os.openpty()
    reader = _Reader(master)
    reader.start()
    with open(slave, "w", encoding="utf-8", closefd=True) as tty:
        progress = Progress(stream=tty)
        assert not progress.quiet and not progress.plain
        with (
            progress.step("Loading practice extracts", total=1),
            progress.substep("J82001 patients") as c,
        ):
            c["rows"] = 3
        tty.flush()
        out = reader.text()
    os.close(master)
    assert "✓" in out and "Loading practice extracts" in out
    assert re.search(r"3 rows\)?.*\d+\.\d s", out)


def test_progress_on_a_terminal_shows_counts_and_time_left():
    master, slave = os.openpty()
    reader = _Reader(master)
    reader.start()
    with open(slave, "w", encoding="utf-8", closefd=True) as tty:
        progress = Progress(stream=tty)
        with progress.step("Writing letters"):
            progress.set_total(3, unit="practices")
            for code in ("A", "B"):
                time.sleep(0.2)
                progress.advance(code, letters_written=1500)
            progress._live.refresh()
            tty.flush()
            time.sleep(0.3)
        tty.flush()
        out = reader.text()
    os.close(master)
    assert "2/3 practices" in out
    assert re.search(r"-?\d+:\d\d", out)  # the time left beside the bar
    assert "3,000 letters written" in out


def test_quiet_wins_over_a_terminal():
    master, slave = os.openpty()
    with open(slave, "w", encoding="utf-8", closefd=True) as tty:
        assert Progress(stream=tty, quiet=True).quiet
    os.close(master)


# -- the command line, three ways ----------------------------------------------------------
def test_cli_on_a_terminal_shows_rich_progress_and_every_problem(broken_extract):
    code, out = run_on_tty([*COHORT, "check", str(broken_extract)], cwd=ROOT)
    assert code == 3
    assert ANSI.search(out), "no terminal styling on a terminal"
    assert "✗" in out and "Loading practice extracts" in out
    assert "3 structural problems" in out
    assert out.count("  - ") == 3


def test_cli_piped_prints_a_plain_line_per_step_and_the_problems(broken_extract):
    proc = run_piped([*COHORT, "check", str(broken_extract)], cwd=ROOT)
    assert proc.returncode == 3
    assert not ANSI.search(proc.stderr)
    assert re.search(r"^\d\d:\d\d:\d\d FAILED Loading practice extracts in ", proc.stderr, re.M)
    problems = [line for line in proc.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 3
    assert any("sex that is not M, F, I or U (row 3)" in p for p in problems)
    assert any("patient_id is not in patients" in p for p in problems)
    assert any("coding_system that is not readv2" in p for p in problems)
    for value in PLANTED.values():
        assert value not in proc.stderr + proc.stdout


def test_cli_log_json_writes_only_json_lines(broken_extract):
    proc = run_piped([*COHORT, "check", str(broken_extract), "--log-json"], cwd=ROOT)
    assert proc.returncode == 3
    events = [json.loads(line) for line in proc.stderr.splitlines()]
    kinds = [e["event"] for e in events]
    # check reads the study first (the stages `cohort run` starts with), then loads
    assert kinds[:4] == ["step_started", "step_finished", "step_started", "step_failed"]
    assert events[3]["exit_code"] == 3
    assert kinds.count("extract_problem") == 3
