"""One SparkSession per process, from a master URL (`cohort run --spark-master`).

    from pipeline.engines.spark.session import spark_session
    spark = spark_session("local[*]")        # or "spark://host:7077", "yarn", ...

A local master gets settings for one machine: shuffle partitions sized to its
cores (spark.sql.shuffle.partitions = N of local[N]), the driver bound to
127.0.0.1, no web UI, no console progress bars. Every session: UTC session time
zone (the study's dates are calendar dates; nothing may shift them), Arrow
transfers to and from Python, Spark's logging at ERROR (and pyspark's logging
of failed queries, which prints their plans, off). Anything else comes
from the usual Spark configuration (spark-defaults.conf, SPARK_CONF_DIR, or CONF).

pyspark and Java are optional (`make spark`); without them this raises
EngineError with one line saying so.
"""

from __future__ import annotations

import os
import re
import threading

from pipeline.errors import EngineError

NEEDS = "--engine spark needs pyspark and Java: run `make spark`"
LOCAL = re.compile(r"local(?:\[(\*|\d+)(?:,\s*\d+)?\])?$")
_lock = threading.Lock()
_session = None


def spark_session(master: str = "local[*]", *, conf: dict[str, str] | None = None):
    """The process's SparkSession on MASTER, started on first use.

    One session per process: a later call gets the same session (its master is
    the first call's; asking for another master while it runs is an error).
    CONF adds or overrides Spark settings for the first call.
    """
    global _session
    with _lock:
        if _session is not None and _alive(_session):
            running = _session.sparkContext.master
            if running != master:
                raise EngineError(
                    f"a Spark session on {running} is already running in this process; "
                    f"cannot start another on {master}"
                )
            return _session
        _session = _start(master, conf or {})
        return _session


def stop_spark_session() -> None:
    """Stop the process's session (if any); the next spark_session() starts a new one."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None


def settings(master: str) -> dict[str, str]:
    """The Spark settings this module sets for MASTER (before CONF)."""
    common = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
        "spark.app.name": "cohort-finder",
    }
    cores = local_cores(master)
    if cores is None:
        return common
    return {
        **common,
        "spark.ui.enabled": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.shuffle.partitions": str(cores),
        "spark.default.parallelism": str(cores),
    }


def local_cores(master: str) -> int | None:
    """Cores of a local master (local -> 1, local[*] -> this machine's, local[4] -> 4); None otherwise."""
    found = LOCAL.match(master.strip())
    if not found:
        return None
    threads = found.group(1)
    if threads is None:
        return 1
    if threads == "*":
        return os.cpu_count() or 1
    return max(1, int(threads))


def _start(master: str, conf: dict[str, str]):
    from pipeline.engines.spark.java import java_problem

    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineError(f"{NEEDS} (pyspark is not installed)") from exc
    if problem := java_problem():  # the driver's JVM runs here, whatever the master
        raise EngineError(f"{NEEDS} ({problem})")
    builder = SparkSession.builder.master(master)
    for key, value in {**settings(master), **conf}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - py4j/JVM start-up failures have many types
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise EngineError(f"could not start Spark on {master}: {first}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    _quiet_query_context_loggers()
    return spark


def _quiet_query_context_loggers() -> None:
    """pyspark logs every failed query with its SQL and plan (a plan can hold rows): not here."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True


def _alive(spark) -> bool:
    try:
        return spark.sparkContext._jsc is not None  # stopped sessions drop their Java context
    except Exception:  # noqa: BLE001 - a dead JVM raises py4j errors of several types
        return False
