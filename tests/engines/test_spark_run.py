"""`cohort run --engine spark` end to end, on a real local Spark (make test-spark).

The demo-sized world (cohort synth: three practices), as CSV and as Parquet, runs
through the whole pipeline once on each engine, each run in its own new workspace:
the invitees (mail merge and letters), the attrition and the quarantine must be the
same. A damaged CSV is refused on Spark as on DuckDB, naming the file and the row.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import main

pytestmark = pytest.mark.spark

PATIENTS = 3000
RUN_ARGS = ("-q", "--pdf", "never", "--screening", "off", "--reason", "engine comparison test",
            "--letter-date", "2025-04-07", "--new-workspace")  # fmt: skip


def cohort(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    root = tmp_path_factory.mktemp("worlds")
    for fmt in ("csv", "parquet"):
        made = cohort("synth", "--practices", 3, "--patients", PATIENTS, "--seed", 7,
                      "--format", fmt, "--out", root / fmt)  # fmt: skip
        assert made.exit_code == 0, made.output
    return root


def run_folder(ws: Path) -> Path:
    (run,) = [p for p in (ws / "runs").iterdir() if not p.name.startswith(".")]
    return run


def rows(path: Path, *, drop=("invite_ref",)) -> list[tuple]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sorted(tuple(v for k, v in r.items() if k not in drop) for r in csv.DictReader(fh))


def run_tables(run: Path) -> dict:
    con = duckdb.connect(str(run / "run.duckdb"), read_only=True)
    try:
        return {
            "invited": con.execute(
                "SELECT practice_code, patient_id FROM population WHERE invited ORDER BY ALL"
            ).fetchall(),
            "attrition": con.execute("SELECT * FROM attrition ORDER BY ALL").fetchall(),
            "quarantine": con.execute("SELECT * FROM quarantine ORDER BY ALL").fetchall(),
            "stopped": con.execute(
                "SELECT stopped_by, count(*) FROM population GROUP BY ALL ORDER BY ALL"
            ).fetchall(),
        }
    finally:
        con.close()


def letters(run: Path) -> list[str]:
    return sorted(
        p.relative_to(run).as_posix() for p in (run / "practices").rglob("*") if p.is_file()
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_both_engines_invite_the_same_people(spark, worlds, tmp_path, fmt):
    extract = worlds / fmt
    duck = cohort("run", extract, "--workspace", tmp_path / "duck", *RUN_ARGS)
    assert duck.exit_code == 0, duck.output
    given = f"file://{extract}" if fmt == "csv" else extract  # a URI Spark reads, and a path
    on_spark = cohort("run", given, "--workspace", tmp_path / "spark", "--engine", "spark",
                      "--spark-master", "local[2]", *RUN_ARGS)  # fmt: skip
    assert on_spark.exit_code == 0, on_spark.output
    a, b = run_folder(tmp_path / "duck"), run_folder(tmp_path / "spark")
    ta, tb = run_tables(a), run_tables(b)
    assert ta["invited"], "the test world must invite someone"
    assert ta["quarantine"], "the test world must hold someone back"
    assert ta == tb
    assert rows(a / "mailmerge.csv") == rows(b / "mailmerge.csv")
    assert rows(a / "quarantine.csv", drop=()) == rows(b / "quarantine.csv", drop=())
    assert letters(a) == letters(b)
    record = json.loads((b / "run_record.json").read_text(encoding="utf-8"))
    assert record["engine"]["name"] == "spark" and record["engine"]["spark_version"]
    assert record["options"]["engine"] == "spark"
    assert (
        json.loads((a / "run_record.json").read_text(encoding="utf-8"))["engine"]["name"]
        == "duckdb"
    )
    assert "Spark " in (b / "report.html").read_text(encoding="utf-8")


def _damage(extract: Path, tmp_path: Path, kind: str) -> Path:
    """The world with the second practice's events.csv damaged: row 6 dated 2020-13-45
    (KIND "date"), or the file cut short at the end of its last record (KIND "cut": the
    line break gone, as where a copy stopped inside the last field)."""
    copy = tmp_path / "damaged"
    shutil.copytree(extract, copy)
    target = sorted(p for p in copy.iterdir() if p.is_dir())[1] / "events.csv"
    if kind == "cut":
        target.write_bytes(target.read_bytes().rstrip(b"\r\n"))
        return target
    lines = target.read_text(encoding="utf-8").split("\n")
    fields = lines[5].split(",")
    fields[1] = "2020-13-45"
    lines[5] = ",".join(fields)
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("date", "1 row with a blank or unreadable event_date (row 6)"),
        ("cut", "does not end with a line break: the file was cut short"),
    ],
)
def test_a_damaged_csv_is_refused_naming_the_file_and_row(spark, worlds, tmp_path, kind, expected):
    target = _damage(worlds / "csv", tmp_path, kind)
    messages = {}
    for engine in ("duckdb", "spark"):
        ws = tmp_path / engine
        result = cohort("run", target.parent.parent, "--workspace", ws, "--engine", engine,
                        "--spark-master", "local[2]", *RUN_ARGS)  # fmt: skip
        assert result.exit_code != 0
        messages[engine] = result.output.strip().splitlines()[-1]
        assert not (ws / "runs").exists() or not [
            p for p in (ws / "runs").iterdir() if (p / "mailmerge.csv").exists()
        ]
    for message in messages.values():
        assert str(target) in message and expected in message
    assert messages["duckdb"] == messages["spark"]


def test_the_extract_suites_give_the_same_results_on_both_engines(spark, worlds, tmp_path):
    """A patient born in 1890 (blocking) and an NHS number of 9 digits (warning): GX on
    Spark finds what GX on DuckDB finds, check by check, and stops the run the same way."""
    from pipeline import db
    from pipeline.engines.spark.load import load_extracts_spark
    from pipeline.engines.spark.validate import run_suites_spark
    from pipeline.extract.loader import load_extracts
    from pipeline.validation import EXTRACT_SUITES, run_suites

    copy = tmp_path / "odd"
    shutil.copytree(worlds / "csv", copy)
    target = sorted(p for p in copy.iterdir() if p.is_dir())[0] / "patients.csv"
    with target.open(encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    table[3]["date_of_birth"] = "1890-05-01"
    table[4]["nhs_number"] = "123456789"
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    duck = db.connect()
    load_extracts(duck, [copy])
    on_duckdb = run_suites(duck, EXTRACT_SUITES, out_dir=tmp_path / "v_duck")
    load_extracts_spark(db.connect(), spark, [str(copy)])
    on_spark = run_suites_spark(spark, EXTRACT_SUITES, out_dir=tmp_path / "v_spark")
    failing = [o for o in on_duckdb.outcomes if not o.success]
    assert {o.description for o in failing} >= {
        "date_of_birth after 1900-01-01",
        "nhs_number is 10 digits when present",
    }
    assert [dataclasses.asdict(o) for o in on_spark.outcomes] == [
        dataclasses.asdict(o) for o in on_duckdb.outcomes
    ]
    assert on_spark.failure_message() == on_duckdb.failure_message()
    assert (tmp_path / "v_spark" / "results.html").is_file()
