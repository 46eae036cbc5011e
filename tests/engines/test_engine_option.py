"""`cohort run --engine`: what happens without Spark, and with a URI on DuckDB (make test).

These need neither pyspark nor Java: without them `--engine spark` must stop with
one line saying to run `make spark`, leaving no run behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    out = tmp_path_factory.mktemp("world") / "extract"
    made = CliRunner().invoke(
        main, ["synth", "--practices", "1", "--patients", "200", "--out", str(out)]
    )
    assert made.exit_code == 0, made.output
    return out


def test_engine_spark_without_java_or_pyspark_says_make_spark(extract, tmp_path):
    """No Java (JAVA_HOME pointing nowhere, no java on PATH); pyspark may or may not be
    installed: either way the run stops at once with one line naming `make spark`."""
    env = {
        **os.environ,
        "JAVA_HOME": str(tmp_path / "no-java"),
        "PATH": str(Path(sys.executable).parent),
    }
    ws = tmp_path / "ws"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", str(extract), "--workspace", str(ws),
         "--new-workspace", "-q", "--pdf", "never", "--engine", "spark"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 9, done.stderr
    error = [line for line in done.stderr.splitlines() if "make spark" in line]
    assert len(error) == 1 and "--engine spark needs pyspark and Java" in error[0]
    assert "Traceback" not in done.stderr
    runs = ws / "runs"
    assert not runs.exists() or not [p for p in runs.iterdir() if not p.name.startswith(".")]


def test_a_uri_needs_the_spark_engine(tmp_path):
    result = CliRunner().invoke(
        main, ["run", "hdfs://namenode/extracts", "--workspace", str(tmp_path / "ws"),
               "--new-workspace", "-q"],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "hdfs://namenode/extracts: the DuckDB engine reads local folders only" in result.output
    assert "--engine spark" in result.output
    assert not (tmp_path / "ws").exists()
