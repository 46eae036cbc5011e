"""The Spark session and the Java check (pipeline/engines/spark/session.py, java.py).

Tests marked `spark` start a real local Spark (make test-spark); the others need
neither pyspark nor Java and run in make test.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline.engines.spark import java
from pipeline.engines.spark.session import NEEDS, local_cores, settings, spark_session
from pipeline.errors import EngineError


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ("no version here", None),
    ],
)
def test_java_version_is_read_from_java_dash_version(text, major):
    assert java.parse_version(text) == major


def test_java_home_without_java_is_a_one_line_instruction(tmp_path):
    shown = subprocess.run(
        [sys.executable, "-m", "pipeline.engines.spark.java"],
        capture_output=True,
        text=True,
        env={**os.environ, "JAVA_HOME": str(tmp_path)},
        check=False,
    )
    assert shown.returncode == 1
    (line,) = shown.stderr.strip().splitlines()
    assert line.startswith("no Java found ($JAVA_HOME/bin/java)")
    assert "apt-get install -y default-jre-headless" in line
    assert "make spark" in line


def test_session_without_java_says_run_make_spark(tmp_path):
    shown = _python(
        "from pipeline.engines.spark.session import spark_session\n"
        "from pipeline.errors import EngineError\n"
        "try:\n    spark_session()\nexcept EngineError as e:\n    print(e)\n",
        JAVA_HOME=str(tmp_path),
    )
    (line,) = shown.stdout.strip().splitlines()
    assert line.startswith(NEEDS)
    assert "pyspark is not installed" in line or "no Java found" in line


@pytest.mark.parametrize(
    ("master", "cores"),
    [("local", 1), ("local[2]", 2), ("local[*]", os.cpu_count()), ("local[3,2]", 3),
     ("spark://h:7077", None), ("yarn", None)],
)  # fmt: skip
def test_local_masters_get_shuffle_partitions_for_their_cores(master, cores):
    assert local_cores(master) == cores
    conf = settings(master)
    assert conf["spark.sql.session.timeZone"] == "UTC"
    if cores is None:
        assert "spark.sql.shuffle.partitions" not in conf  # a cluster's own configuration decides
    else:
        assert conf["spark.sql.shuffle.partitions"] == str(cores)
        assert conf["spark.ui.enabled"] == "false"


@pytest.mark.spark
def test_one_session_per_process_with_the_local_settings(spark):
    assert spark_session(spark.sparkContext.master) is spark
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.conf.get("spark.sql.shuffle.partitions") == "2"
    assert (
        spark.sql("SELECT DATE '2024-06-30' - 30 AS d").collect()[0].d.isoformat() == "2024-05-31"
    )


@pytest.mark.spark
def test_another_master_while_one_runs_is_refused(spark):
    with pytest.raises(EngineError, match="already running"):
        spark_session("local[1]")
