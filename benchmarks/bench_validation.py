"""Great Expectations' validation time on a large run next to the same checks in plain DuckDB SQL.

    .venv/bin/python benchmarks/bench_validation.py                       # 1M patients, 50M events, 20M issues
    .venv/bin/python benchmarks/bench_validation.py --patients 100000 --events 5000000 --medications 2000000
    .venv/bin/python benchmarks/bench_validation.py --extract synth/      # a `cohort synth` extract, via the loader

The tables are generated straight into an in-memory DuckDB (the loader's
schema, sql/load/tables.sql) unless --extract is given. GX runs the three
extract suites (expectations/patients|events|medications.yaml) through
pipeline.validation.run_suites, exactly as a run does; the comparison is one
hand-written SQL statement per table computing every check's count. The
benchmark also checks that both give the same counts.

The generation SQL and the plain checks live here, not in sql/: they are the
benchmark's own fixture and yardstick, not part of the pipeline.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import db  # noqa: E402

GENERATE = """
CREATE OR REPLACE TEMP MACRO nhs_check(b) AS (11 - ((
      CAST(substr(b, 1, 1) AS INTEGER) * 10 + CAST(substr(b, 2, 1) AS INTEGER) * 9
    + CAST(substr(b, 3, 1) AS INTEGER) * 8 + CAST(substr(b, 4, 1) AS INTEGER) * 7
    + CAST(substr(b, 5, 1) AS INTEGER) * 6 + CAST(substr(b, 6, 1) AS INTEGER) * 5
    + CAST(substr(b, 7, 1) AS INTEGER) * 4 + CAST(substr(b, 8, 1) AS INTEGER) * 3
    + CAST(substr(b, 9, 1) AS INTEGER) * 2) % 11)) % 11;
CREATE OR REPLACE TEMP MACRO draw(i, salt, n) AS CAST(hash(i, salt) % n AS BIGINT);

INSERT INTO practices
SELECT 'B' || CAST(80000 + p AS VARCHAR), 'Practice ' || p, 'EMIS Web', DATE '2025-03-31', [], '/bench'
FROM range($practices) AS t (p);

INSERT INTO patients
WITH base AS (
    SELECT i, CAST(400000000 + 2 * i AS VARCHAR) AS b1, CAST(400000001 + 2 * i AS VARCHAR) AS b2,
           DATE '1930-01-01' + CAST(draw(i, 'dob', 30000) AS INTEGER) AS dob
    FROM range($patients) AS t (i)
),
numbered AS (
    SELECT *, CASE WHEN nhs_check(b1) < 10 THEN b1 || nhs_check(b1) ELSE b2 || nhs_check(b2) END AS nhs
    FROM base
)
SELECT
    'B' || CAST(80000 + i % $practices AS VARCHAR), 'P' || i, nhs, true,
    'Mx', 'Forename', 'Surname', dob, ['M', 'F'][1 + draw(i, 'sex', 2)],
    CAST(i % 200 AS VARCHAR) || ' High Street', 'Town', NULL, NULL, 'LE65 1AB', true,
    greatest(dob, DATE '1990-01-01') + CAST(draw(i, 'reg', 3000) AS INTEGER),
    CASE WHEN draw(i, 'dereg', 20) = 0 THEN DATE '2024-01-01' END,
    CASE WHEN draw(i, 'death', 50) = 0 THEN DATE '2023-06-01' END
FROM numbered;

INSERT INTO events
WITH picked AS (
    SELECT j, draw(j, 'who', $patients) AS i, draw(j, 'sys', 10) AS s, draw(j, 'code', 8) AS c
    FROM range($events) AS t (j)
)
SELECT
    'B' || CAST(80000 + i % $practices AS VARCHAR), 'P' || i,
    DATE '2000-01-01' + CAST(draw(j, 'date', 9200) AS INTEGER),
    CASE WHEN s < 6 THEN 'snomedct' WHEN s < 9 THEN 'readv2' ELSE 'ctv3' END,
    CASE
        WHEN s < 6 THEN ['279039007', '161891005', '82423001', '224363007', '73438004', '52448006',
                         '103735009', '38341003'][1 + c]
        WHEN s < 9 THEN ['16C..', '16C2.', 'N245.', '1M52.', 'F110.', 'Eu00.', '9Nu0.', 'H33..'][1 + c]
        ELSE ['XaZ89', 'XE0Uc', 'X00R0', 'XaIPl', 'Xa9B2', 'XE2Pp', 'X75xU', 'XaJg6'][1 + c]
    END,
    CASE WHEN c = 0 THEN 1.0 * draw(j, 'value', 200) END
FROM picked;

INSERT INTO medications
WITH picked AS (
    SELECT k, draw(k, 'who', $patients) AS i, draw(k, 'sys', 10) AS s, draw(k, 'code', 6) AS c
    FROM range($medications) AS t (k)
)
SELECT
    'B' || CAST(80000 + i % $practices AS VARCHAR), 'P' || i,
    DATE '2015-01-01' + CAST(draw(k, 'date', 3700) AS INTEGER),
    CASE WHEN s < 7 THEN 'dmd' ELSE 'bnf' END,
    CASE
        WHEN s < 7 THEN ['42017811000001106', '415167006', '42009811000001101', '321745007',
                         '39113611000001102', '322236009'][1 + c]
        ELSE ['0408010G0AAABAB', '0407020Q0AAAAAA', '0408010AEAAAAAA', '040702', '0407010H0', '0408010G0'][1 + c]
    END,
    ['acute', 'repeat'][1 + draw(k, 'type', 2)], 28.0
FROM picked;
"""

# One statement per table, every check's count side by side (names: the suite's descriptions).
PLAIN = {
    "patients": """
        WITH per_practice AS (
            SELECT
                p.practice_code,
                count(*) AS n,
                count(*) FILTER (WHERE p.practice_code IS NULL) AS "practice_code present",
                count(*) FILTER (WHERE p.patient_id IS NULL) AS "patient_id present",
                count(*) FILTER (WHERE p.date_of_birth IS NULL) AS "date_of_birth present",
                count(*) FILTER (WHERE p.sex IS NULL) AS "sex present",
                count(*) FILTER (WHERE p.registration_date IS NULL) AS "registration_date present",
                count(*) FILTER (WHERE p.sex NOT IN ('M', 'F', 'I', 'U')) AS "sex is M, F, I or U",
                count(*) FILTER (WHERE p.date_of_birth <= DATE '1900-01-01') AS "date_of_birth after 1900-01-01",
                count(*) FILTER (WHERE p.date_of_birth > pr.extract_date)
                    AS "date_of_birth not after the practice's extract date",
                count(*) FILTER (WHERE NOT regexp_full_match(p.nhs_number, '[0-9]{10}'))
                    AS "nhs_number is 10 digits when present",
                count(*) FILTER (WHERE p.address_line_1 IS NULL) AS "address_line_1 present for at least 95% of patients",
                count(*) FILTER (WHERE p.postcode_valid IS DISTINCT FROM true AND p.postcode_valid IS NOT NULL)
                    AS "postcode in UK format for at least 95% of patients",
                count(*) FILTER (WHERE p.registration_date < p.date_of_birth)
                    AS "registration_date not before date_of_birth",
                count(*) FILTER (WHERE p.deregistration_date < p.registration_date)
                    AS "deregistration_date not before registration_date",
                count(*) FILTER (WHERE p.date_of_death < p.date_of_birth) AS "date_of_death not before date_of_birth",
                count(*) FILTER (WHERE p.registration_date > pr.extract_date)
                    AS "registration_date not after the practice's extract date",
                avg(CASE WHEN p.nhs_number_valid THEN 1.0 ELSE 0.0 END) AS valid_share,
                count(*) - count(DISTINCT p.patient_id) AS "one row per practice_code + patient_id"
            FROM patients AS p
            INNER JOIN practices AS pr ON pr.practice_code = p.practice_code
            GROUP BY p.practice_code
        )
        SELECT
            sum(COLUMNS(* EXCLUDE (practice_code, n, valid_share))),
            count(*) FILTER (WHERE n >= 20 AND valid_share < 0.9)
                AS "at least 90% valid NHS numbers in each practice of 20 or more patients"
        FROM per_practice
    """,
    "events": """
        SELECT
            count(*) FILTER (WHERE e.practice_code IS NULL) AS "practice_code present",
            count(*) FILTER (WHERE e.patient_id IS NULL) AS "patient_id present",
            count(*) FILTER (WHERE e.event_date IS NULL) AS "event_date present",
            count(*) FILTER (WHERE e.coding_system IS NULL) AS "coding_system present",
            count(*) FILTER (WHERE e.code IS NULL) AS "code present",
            count(*) FILTER (WHERE e.coding_system NOT IN ('readv2', 'ctv3', 'snomedct'))
                AS "coding_system is readv2, ctv3 or snomedct",
            count(*) FILTER (WHERE p.patient_id IS NULL) AS "every event's patient is in patients",
            count(*) FILTER (WHERE e.coding_system = 'readv2' AND NOT regexp_full_match(e.code, '[A-Za-z0-9.]{5}'))
                AS "readv2 codes are 5 characters (99% or more)",
            count(*) FILTER (WHERE e.coding_system = 'ctv3' AND NOT regexp_full_match(e.code, '[A-Za-z0-9.]{5}'))
                AS "ctv3 codes are 5 characters (99% or more)",
            count(*) FILTER (WHERE e.coding_system = 'snomedct' AND NOT regexp_full_match(e.code, '[0-9]{6,18}'))
                AS "snomedct codes are 6-18 digits (99% or more)",
            count(*) FILTER (WHERE e.event_date <= DATE '1900-01-01') AS "event_date after 1900-01-01",
            count(*) FILTER (WHERE e.event_date < p.date_of_birth) AS "no event before the patient's birth"
        FROM events AS e
        LEFT JOIN patients AS p ON p.practice_code = e.practice_code AND p.patient_id = e.patient_id
    """,
    "medications": """
        SELECT
            count(*) FILTER (WHERE m.practice_code IS NULL) AS "practice_code present",
            count(*) FILTER (WHERE m.patient_id IS NULL) AS "patient_id present",
            count(*) FILTER (WHERE m.issue_date IS NULL) AS "issue_date present",
            count(*) FILTER (WHERE m.coding_system IS NULL) AS "coding_system present",
            count(*) FILTER (WHERE m.code IS NULL) AS "code present",
            count(*) FILTER (WHERE m.coding_system NOT IN ('dmd', 'bnf')) AS "coding_system is dmd or bnf",
            count(*) FILTER (WHERE m.issue_type NOT IN ('acute', 'repeat')) AS "issue_type is acute or repeat when given",
            count(*) FILTER (WHERE p.patient_id IS NULL) AS "every issue's patient is in patients",
            count(*) FILTER (WHERE m.coding_system = 'dmd' AND NOT regexp_full_match(m.code, '[0-9]{6,18}'))
                AS "dmd codes are 6-18 digits (99% or more)",
            count(*) FILTER (WHERE m.coding_system = 'bnf' AND NOT regexp_full_match(m.code, '[0-9]{2}[0-9A-Z]{0,13}'))
                AS "bnf codes are 2-15 characters of BNF shape (99% or more)",
            count(*) FILTER (WHERE m.quantity < 0) AS "quantity not negative",
            count(*) FILTER (WHERE m.issue_date <= DATE '1900-01-01') AS "issue_date after 1900-01-01",
            count(*) FILTER (WHERE m.issue_date < p.date_of_birth) AS "no issue before the patient's birth"
        FROM medications AS m
        LEFT JOIN patients AS p ON p.practice_code = m.practice_code AND p.patient_id = m.patient_id
    """,
}


def build(args) -> object:
    con = db.connect(threads=args.threads)
    if args.extract:
        from pipeline.extract import load_extracts

        load_extracts(con, [args.extract])
        return con
    db.script(con, "load/tables")
    practices = max(1, args.patients // 7000)
    params = {
        "practices": practices,
        "patients": args.patients,
        "events": args.events,
        "medications": args.medications,
    }
    for statement in filter(str.strip, GENERATE.split(";\n")):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        con.execute(statement, used) if used else con.execute(statement)
    return con


def plain_counts(con) -> tuple[dict, dict]:
    """Every check's count from one SQL statement per table, and each statement's seconds."""
    counts, seconds = {}, {}
    for table, sql in PLAIN.items():
        started = time.perf_counter()
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        counts |= {(table, n): int(v or 0) for n, v in zip(names, cursor.fetchone(), strict=True)}
        seconds[table] = time.perf_counter() - started
    return counts, seconds


def gx_counts(con) -> tuple[dict, dict, list]:
    """Every check's count from GX (run_suites, one suite at a time), and each suite's seconds."""
    from pipeline.validation import EXTRACT_SUITES, run_suites

    counts, seconds, summaries = {}, {}, []
    for name in EXTRACT_SUITES:
        started = time.perf_counter()
        summary = run_suites(con, [name])
        seconds[name] = time.perf_counter() - started
        counts |= {(o.suite, o.description): o.unexpected_count for o in summary.outcomes}
        summaries.append(summary)
    return counts, seconds, summaries


def compare(gx: dict, plain: dict) -> list[str]:
    """Checks whose counts differ (uniqueness counts rows in GX, extra rows in SQL: compared as zero/non-zero)."""
    problems = []
    for key, value in plain.items():
        found = gx.get(key)
        same = bool(found) == bool(value) if "one row per" in key[1] else found == value
        if not same:
            problems.append(f"{key[0]}: {key[1]}: GX {found}, SQL {value}")
    return problems


def rows(con) -> str:
    n = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("patients", "events", "medications")
    }
    return f"{n['patients']:,} patients, {n['events']:,} events, {n['medications']:,} issues"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=50_000_000)
    parser.add_argument("--medications", type=int, default=20_000_000)
    parser.add_argument(
        "--extract", type=Path, help="load this extract (e.g. from `cohort synth`) instead"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="DuckDB threads (default: all cores)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    con = build(args)
    print(f"data: {rows(con)} ({time.perf_counter() - started:.1f} s to build)")
    started = time.perf_counter()
    import great_expectations  # noqa: F401

    print(f"import great_expectations: {time.perf_counter() - started:.2f} s")
    gx, gx_seconds, summaries = gx_counts(con)
    plain, plain_seconds = plain_counts(con)
    for summary in summaries:
        print(summary.text())
    print(f"{'table':<12} {'checks':>6} {'GX s':>8} {'SQL s':>8} {'GX/SQL':>7}")
    for summary, table in zip(summaries, PLAIN, strict=True):
        g, p = gx_seconds[table], plain_seconds[table]
        print(f"{table:<12} {len(summary.outcomes):>6} {g:>8.1f} {p:>8.1f} {g / p:>6.1f}x")
    g, p = sum(gx_seconds.values()), sum(plain_seconds.values())
    checks = sum(len(s.outcomes) for s in summaries)
    print(f"{'all':<12} {checks:>6} {g:>8.1f} {p:>8.1f} {g / p:>6.1f}x")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    problems = compare(gx, plain)
    print("counts agree" if not problems else "COUNTS DIFFER:\n  " + "\n  ".join(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
