"""A run folder as `cohort run` leaves it, built directly for report tests.

The patients table holds planted, recognisable identifiers (PLANTED) that must
never appear in a report. Attrition is computed by the study's own
the study's compiled attrition from a made-up population, so its shape is the real one.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import polars as pl
import yaml

from pipeline import db
from pipeline.paths import DEFAULT_STUDY
from pipeline.study.execute import run_statements
from pipeline.study.model import build_study

INSTEP = build_study(yaml.safe_load(DEFAULT_STUDY.read_text(encoding="utf-8")))

PLANTED = {
    "forename": "Zebedee",
    "surname": "Quillfeather",
    "nhs_number": "9434765919",
    "address_line_1": "17 Marigoldhythe Lane",
    "postcode": "SO16 6YD",
    "date_of_birth": "1971-04-23",
    "patient_id": "PID-ZQ-000123",
}
STOP_RULES = [
    ("not_registered", 0.06),
    ("not_alive", 0.01),
    ("age", 0.38),
    ("no_chronic_pain", 0.45),
    ("in_work", 0.05),
    ("dementia", 0.004),
    ("palliative", 0.002),
    ("opt_out", 0.01),
    ("already_invited", 0.0),
    ("do_not_contact", 0.0),
    ("screened_out", 0.0),
    ("data_quality", 0.006),
    (None, 0.028),
]
PRACTICES = [
    ("J82001", "Bitterne Park Surgery", "EMIS Web"),
    ("J82002", "Shirley Health Partnership", "SystmOne"),
    ("J82003", "Woolston Lodge Practice", "Vision"),
]


def _patients(con, practices, per_practice: int, rng: random.Random) -> None:
    rows = []
    for code, *_ in practices:
        for i in range(per_practice):
            rows.append(
                (
                    code,
                    f"{code}-{i:06d}",
                    f"{rng.randrange(10**9, 10**10)}",
                    "Ms",
                    "Ann",
                    "Other",
                    dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000)),
                    "F",
                    "1 High Street",
                    "SO15 2AB",
                    dt.date(2000, 1, 1),
                )
            )
    p = PLANTED
    rows.append(
        (
            practices[0][0],
            p["patient_id"],
            p["nhs_number"],
            "Mr",
            p["forename"],
            p["surname"],
            dt.date.fromisoformat(p["date_of_birth"]),
            "M",
            p["address_line_1"],
            p["postcode"],
            dt.date(2001, 2, 3),
        )
    )
    columns = [
        "practice_code",
        "patient_id",
        "nhs_number",
        "title",
        "forename",
        "surname",
        "date_of_birth",
        "sex",
        "address_line_1",
        "postcode",
        "registration_date",
    ]
    _insert(
        con,
        "patients",
        columns,
        rows,
        extra="nhs_number_valid, postcode_valid",
        extra_values="true, true",
    )


def _insert(
    con,
    table: str,
    columns: list[str],
    rows: list[tuple],
    *,
    extra: str = "",
    extra_values: str = "",
) -> None:
    """Insert ROWS in one statement (executemany is row by row and slow)."""
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    con.register("fixture_rows", frame.to_arrow())
    names = ", ".join(columns + ([extra] if extra else []))
    values = ", ".join(columns + ([extra_values] if extra_values else []))
    con.execute(f"INSERT INTO {table} ({names}) SELECT {values} FROM fixture_rows")
    con.unregister("fixture_rows")


def _population(con, rng: random.Random, *, small_step: str | None) -> None:
    con.execute(
        "CREATE TABLE population (practice_code VARCHAR, patient_id VARCHAR, registered BOOLEAN, alive BOOLEAN,"
        " working_age BOOLEAN, c1 BOOLEAN, c2 BOOLEAN, c3 BOOLEAN, stopped_by VARCHAR, invited BOOLEAN)"
    )
    rules, weights = zip(*STOP_RULES, strict=True)
    rows = []
    for code, pid in con.execute(
        "SELECT practice_code, patient_id FROM patients ORDER BY ALL"
    ).fetchall():
        stop = "data_quality" if pid == PLANTED["patient_id"] else rng.choices(rules, weights)[0]
        order = [r for r, _ in STOP_RULES]
        reached = order.index(stop) > order.index("age") if stop else True
        pain = stop != "no_chronic_pain" and reached
        routes = (
            [rng.random() < 0.55, rng.random() < 0.3, rng.random() < 0.45] if pain else [False] * 3
        )
        if pain and not any(routes):
            routes[rng.randrange(3)] = True
        rows.append(
            (
                code,
                pid,
                stop != "not_registered",
                stop not in ("not_registered", "not_alive"),
                reached,
                *routes,
                stop,
                stop is None,
            )
        )
    columns = [
        "practice_code",
        "patient_id",
        "registered",
        "alive",
        "working_age",
        "c1",
        "c2",
        "c3",
        "stopped_by",
        "invited",
    ]
    _insert(con, "population", columns, rows)
    if small_step:  # exactly 3 patients stopped by this rule at the first practice: must show as <8
        con.execute(
            "UPDATE population SET stopped_by = $s WHERE patient_id IN (SELECT patient_id FROM population"
            " WHERE stopped_by IS NULL AND practice_code = $p ORDER BY patient_id LIMIT 3)",
            {"s": small_step, "p": PRACTICES[0][0]},
        )
        con.execute("UPDATE population SET invited = stopped_by IS NULL")


def _invitations(con, *, cap: int | None) -> None:
    con.execute(
        "CREATE TABLE invitations AS SELECT 'REF' || row_number() OVER () AS invite_ref, p.practice_code, p.patient_id,"
        " p.nhs_number, p.forename, p.surname, p.address_line_1, p.postcode, p.date_of_birth,"
        " row_number() OVER (PARTITION BY p.practice_code ORDER BY p.patient_id) AS rank"
        " FROM population AS pop JOIN patients AS p USING (practice_code, patient_id) WHERE pop.invited"
    )
    con.execute(
        "CREATE TABLE deferred AS SELECT * FROM invitations WHERE rank > $cap",
        {"cap": cap or 10**9},
    )
    con.execute("DELETE FROM invitations WHERE rank > $cap", {"cap": cap or 10**9})


def make_run_db(
    path: Path,
    *,
    per_practice: int = 200,
    seed: int = 7,
    stage: str = "complete",
    cap: int | None = None,
    small_step: str | None = "palliative",
    practices=PRACTICES,
) -> Path:
    """A run database; STAGE is how far the run got: extract | cohort | complete."""
    rng = random.Random(seed)
    con = db.connect(path)
    db.script(con, "load/tables")
    for code, name, system in practices:
        con.execute(
            "INSERT INTO practices VALUES (?, ?, ?, DATE '2024-03-31', ['1 Road'], '/x')",
            [code, name, system],
        )
    _patients(con, practices, per_practice, rng)
    con.execute(
        "INSERT INTO events VALUES ($p, $i, DATE '2024-05-01', 'snomedct', '82423001', NULL)",
        {"p": practices[0][0], "i": f"{practices[0][0]}-000001"},
    )
    db.run(con, "run/run_practices", index_date=None)
    db.script(con, "run/study_parameters")
    con.executemany(
        "INSERT INTO study_parameters VALUES (?, ?)", [("max_age", "64"), ("min_age", "18")]
    )
    if stage != "extract":
        _population(con, rng, small_step=small_step)
        run_statements(con, INSTEP, ("attrition", "definition", "study_steps", "study_criteria"))
    if stage == "complete":
        _invitations(con, cap=cap)
    con.close()
    return path


def _outcome(
    suite, table, n, description, *, success=True, severity="blocking", unexpected=0, column=None
):
    return {
        "suite": suite,
        "table": table,
        "number": n,
        "description": description,
        "type": "expect_x",
        "column": column,
        "severity": severity,
        "success": success,
        "unexpected_count": unexpected,
        "element_count": 1000,
        "unexpected_percent": 0.0,
        "observed_value": None,
        "unit": "rows",
        "error": None,
    }


def write_validation(run_dir: Path, *, failed: bool = False) -> None:
    results = [
        _outcome("patients", "patients", 1, "patient_id is never blank", column="patient_id"),
        _outcome(
            "patients",
            "patients",
            2,
            "date_of_birth on or before the extract date",
            column="date_of_birth",
            success=not failed,
            unexpected=3 if failed else 0,
        ),
        _outcome(
            "events",
            "events",
            1,
            "event_date after 1900-01-01",
            column="event_date",
            success=False,
            severity="warning",
            unexpected=12,
        ),
        # An error text that happens to echo a patient's name must never reach the report.
        {
            **_outcome(
                "events",
                "events",
                2,
                "codes look like their coding system",
                column="code",
                success=False,
                severity="warning",
                unexpected=None,
            ),
            "error": f"could not convert '{PLANTED['surname']}'",
        },
    ]
    suites = [
        {
            "name": s,
            "checks": 2,
            "passed": 1,
            "blocking_failures": int(failed and s == "patients"),
            "warnings": int(s == "events"),
        }
        for s in ("patients", "events")
    ]
    doc = {
        "format": "cohort-validation-results/1",
        "passed": not failed,
        "suites": suites,
        "results": results,
    }
    (run_dir / "validation").mkdir(parents=True, exist_ok=True)
    (run_dir / "validation" / "results.json").write_text(json.dumps(doc, indent=2))


def write_record(run_dir: Path, *, status: str = "complete") -> None:
    record = {
        "format": "cohort-finder run record v1",
        "run_id": "20240331-120000-ab12",
        "status": status,
        "tool": {"name": "cohort-finder", "version": "0.1.0", "git_commit": "a" * 40},
        "study": {
            "name": "instep",
            "title": "InStep: help to find work for people with chronic pain",
            "file": "/x/instep.yaml",
            "sha256": "b" * 64,
        },
        "codelists": [
            {"role": "dementia", "name": "dementia", "version": "1", "content_hash": "c" * 64}
        ],
        "codelists_lock": {"path": "/x/codelists.lock", "sha256": "d" * 64, "bytes": 10},
        "inputs": {
            "files": [
                {"path": "/x/J82001/patients.csv", "sha256": "e" * 64, "practice_code": "J82001"}
            ]
        },
        "operator": "dm",
    }
    (run_dir / "run_record.json").write_text(json.dumps(record, indent=2))


def make_run_dir(tmp: Path, *, failed: bool = False, record: bool = True, **kwargs) -> Path:
    """A run folder with run.duckdb, validation/results.json and run_record.json."""
    run_dir = tmp / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    make_run_db(run_dir / "run.duckdb", stage="cohort" if failed else "complete", **kwargs)
    write_validation(run_dir, failed=failed)
    if record:
        write_record(run_dir, status="failed_validation" if failed else "complete")
    if not failed:
        (run_dir / "mailmerge.csv").write_text("invite_ref\n")
        (run_dir / "practices").mkdir(exist_ok=True)
    (run_dir / "quarantine.csv").write_text("practice_code,patient_id,reason\n")
    return run_dir


# -- a small practice extract on disk, for `cohort check` ----------------------------
PATIENT_HEADER = (
    "patient_id,nhs_number,title,forename,surname,date_of_birth,sex,address_line_1,postcode,"
    "registration_date,deregistration_date,date_of_death"
)


def _patient_rows(n: int) -> list[str]:
    rows = [
        f"P{i:04d},,Ms,Ann,Other,1975-0{1 + i % 9}-1{i % 10},F,1 High Street,SO15 2AB,2001-01-01,,"
        for i in range(1, n)
    ]
    p = PLANTED
    rows.append(
        f"{p['patient_id']},{p['nhs_number']},Mr,{p['forename']},{p['surname']},{p['date_of_birth']},M,"
        f"{p['address_line_1']},{p['postcode']},2001-02-03,,"
    )
    return rows


EVENT_ROWS = [
    "P0001,2023-01-05,snomedct,82423001,",  # chronic pain: in a codelist
    "P0001,2023-06-05,snomedct,38341003,",  # hypertension: in none
    "P0002,2023-02-01,snomedct,38341003,",
    "P0003,2022-11-30,readv2,G20..,",  # in none
    "P0004,2025-01-01,snomedct,82423001,",  # after the extract date
]
MEDICATION_ROWS = [
    "P0001,2023-01-10,dmd,42017811000001106,repeat,30",  # tramadol: in a codelist
    "P0002,2023-03-10,bnf,0212000B0AAABAB,acute,28",  # a statin: in none
]


def write_extract(
    root: Path, *, code: str = "J82001", patients: int = 12, broken: bool = False
) -> Path:
    """One practice folder; BROKEN adds three structural problems in two files."""
    folder = root / code
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text(
        f"practice_code: {code}\npractice_name: Bitterne Park Surgery\nclinical_system: EMIS Web\n"
        "extract_date: 2024-03-31\n"
    )
    rows = _patient_rows(patients)
    if broken:
        rows[1] = rows[1].replace(",F,", ",X,")  # sex not M/F/I/U
    (folder / "patients.csv").write_text("\n".join([PATIENT_HEADER, *rows]) + "\n")
    events = EVENT_ROWS + (
        ["NOBODY,2023-01-01,snomedct,82423001,", "P0001,2023-02-01,icd10,M54.5,"] if broken else []
    )
    (folder / "events.csv").write_text(
        "\n".join(["patient_id,event_date,coding_system,code,value", *events]) + "\n"
    )
    (folder / "medications.csv").write_text(
        "\n".join(
            ["patient_id,issue_date,coding_system,code,issue_type,quantity", *MEDICATION_ROWS]
        )
        + "\n"
    )
    return folder
