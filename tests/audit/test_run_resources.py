"""`cohort run --memory-limit SIZE --threads N` set DuckDB's memory_limit and threads on the
run's database connection, and the run record says what DuckDB ran with."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from pipeline import db, stages
from pipeline.cli import main

pytestmark = pytest.mark.slow


def cohort(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    root = tmp_path_factory.mktemp("resources")
    made = cohort("synth", "--practices", 1, "--patients", 400, "--seed", 5, "--out", root / "x")
    assert made.exit_code == 0, made.output
    return root / "x"


def _run(extract, tmp_path, *options):
    """One run with OPTIONS; what DuckDB reported on the run's connection mid-run, and the record."""
    seen = {}
    real = stages.run_stages

    def spy(state, steps, progress):
        seen.update(db.settings(state.con))
        return real(state, steps, progress)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stages, "run_stages", spy)
        result = cohort(
            "run", extract, "--workspace", tmp_path / "ws", "--new-workspace", "-q",
            "--pdf", "never", "--screening", "off", "--reason", "resource test", *options,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "ws" / "runs").iterdir()
    return seen, json.loads((folder / "run_record.json").read_text())


def test_the_limit_and_threads_reach_duckdb_and_the_record(extract, tmp_path):
    seen, record = _run(extract, tmp_path, "--memory-limit", "300MB", "--threads", "1")
    assert seen == {"threads": 1, "memory_limit": "286.1 MiB"}  # DuckDB prints MiB
    assert record["duckdb"] == seen
    assert record["options"]["memory_limit"] == "300MB" and record["options"]["threads"] == 1


def test_without_them_duckdb_keeps_its_defaults(extract, tmp_path):
    seen, record = _run(extract, tmp_path)
    assert seen["threads"] == os.cpu_count()
    assert record["duckdb"] == seen and record["options"]["memory_limit"] is None


@pytest.mark.parametrize("bad", ["lots", "8", "8 parsecs", "-1GB"])
def test_a_size_that_is_not_one_is_refused_before_anything_runs(extract, tmp_path, bad):
    result = cohort(
        "run", extract, "--workspace", tmp_path / "ws", "--new-workspace", "--memory-limit", bad
    )
    assert result.exit_code == 2
    assert f"'{bad}' is not a memory size" in result.output and "8GB" in result.output
    assert not (tmp_path / "ws").exists()


def test_threads_must_be_at_least_one(extract, tmp_path):
    result = cohort("run", extract, "--workspace", tmp_path / "ws", "--threads", "0")
    assert result.exit_code == 2 and "--threads" in result.output
