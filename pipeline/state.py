"""The typed state the stages of `cohort run`, `cohort check` and `cohort impact` share.

StudyOptions are what a user asked for (frozen); StudyState is what the stages
have learnt so far. `cohort run` extends both (pipeline/run.py: RunOptions,
RunState) with its workspace, run folder and outputs; `cohort check` with what
it prints (pipeline/commands/check.py). Stages read and set these fields by
name; nothing probes for attributes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.codelists.model import CodelistVersion
from pipeline.extract import LoadResult
from pipeline.paths import CODELISTS_DIR
from pipeline.study.model import Study
from pipeline.validation.results import ValidationSummary


@dataclass(frozen=True, kw_only=True)
class StudyOptions:
    """The extract, the study file, the index date and the codelist repository."""

    extracts: tuple[Path, ...]
    study_path: Path
    index_date: dt.date | None = None
    codelists_dir: Path = CODELISTS_DIR
    letter_date: dt.date | None = None  # the date on the letters (default today); for warnings
    engine: str = "duckdb"  # duckdb | spark (--engine): where the extract is loaded and judged
    spark_master: str = "local[*]"  # --spark-master, for --engine spark
    locations: tuple[str, ...] = ()  # the EXTRACT arguments as typed (a URI kept), for Spark


@dataclass(kw_only=True)
class StudyState:
    """What the shared stages have learnt so far; passed from stage to stage."""

    options: StudyOptions
    con: duckdb.DuckDBPyConnection | None = None
    spark: object | None = None  # the SparkSession, with --engine spark
    engine: dict = field(default_factory=lambda: {"name": "duckdb"})  # for the run record
    study: Study | None = None
    codelists: list[CodelistVersion] = field(default_factory=list)
    load: LoadResult | None = None
    validation: list[ValidationSummary] = field(default_factory=list)
    validation_dir: Path | None = None  # where results.json/html go (None: not written)
    stop_on_blocking: bool = True  # check reports a blocking failure at the end instead
    timings: dict[str, float] = field(default_factory=dict)
    # What the data manager must see before letters go out (load's and pipeline/report/warnings.py's).
    warnings: list[str] = field(default_factory=list)
