"""`cohort synth`: extracts that load cleanly, are the same for the same arguments,
and look like a GP list (rough prevalences, the format's variety, an answer key)."""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import db
from pipeline.cli import main
from pipeline.extract import load_extracts
from pipeline.synth import SynthOptions, codes, generate

PRACTICES, PATIENTS, SEED = 3, 1200, 7


def build(out: Path, *, seed: int = SEED, threads: int | None = None, **options):
    return generate(
        SynthOptions(practices=PRACTICES, patients=PATIENTS, seed=seed, out=out, **options),
        threads=threads,
    )


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "extracts"
    return out, build(out)


@pytest.fixture(scope="module")
def loaded(extract):
    out, _ = extract
    con = db.connect()
    result = load_extracts(con, [out])
    con.execute("CREATE TABLE study_codes (codelist VARCHAR, coding_system VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO study_codes VALUES (?, ?, ?)", codes.study_codes())
    con.execute(
        "CREATE TABLE truth AS SELECT * FROM read_csv($p, all_varchar = true)",
        {"p": str(out / "truth.csv")},
    )
    return con, result


def one(con, sql: str):
    return con.execute(sql).fetchall()[0]


def test_it_writes_a_folder_per_practice_and_the_answer_key(extract):
    out, result = extract
    assert result.practices == ["Y90001", "Y90002", "Y90003"]
    tables = ("events.csv", "manifest.yaml", "medications.csv", "patients.csv")
    assert files(out) == sorted(
        ["truth.csv"] + [f"{p}/{t}" for p in result.practices for t in tables]
    )
    assert result.rows["patients"] == PATIENTS
    assert 35 <= result.rows["events"] / PATIENTS <= 65
    assert 12 <= result.rows["medications"] / PATIENTS <= 30


def test_it_loads_cleanly_with_every_row(loaded, extract):
    con, load = loaded
    _, result = extract
    assert load.warnings == []
    for table in ("patients", "events", "medications"):
        assert sum(n for (_, t), n in load.row_counts.items() if t == table) == result.rows[table]
    assert one(con, "SELECT count(*) FROM truth") == (PATIENTS,)
    assert one(
        con, "SELECT count(*) FROM patients JOIN truth USING (practice_code, patient_id)"
    ) == (PATIENTS,)


def test_the_same_arguments_give_identical_files_on_any_number_of_threads(extract, tmp_path):
    out, _ = extract
    again = tmp_path / "again"
    build(again, threads=1)
    assert files(again) == files(out)
    _, mismatch, errors = filecmp.cmpfiles(out, again, files(out), shallow=False)
    assert mismatch == [] and errors == []


def test_another_seed_gives_other_patients(tmp_path):
    small = {"practices": 1, "patients": 100}
    first, other = tmp_path / "first", tmp_path / "other"
    generate(SynthOptions(seed=1, out=first, **small))
    generate(SynthOptions(seed=2, out=other, **small))
    for name in ("Y90001/patients.csv", "Y90001/events.csv", "truth.csv"):
        assert (other / name).read_bytes() != (first / name).read_bytes()


def test_nhs_numbers_are_test_numbers_mostly_valid_and_unique(loaded):
    con, _ = loaded
    total, blank, valid, test_range, distinct = one(
        con,
        """
        SELECT count(*), count(*) FILTER (nhs_number IS NULL), count(*) FILTER (nhs_number_valid),
               count(*) FILTER (nhs_number LIKE '999%'), count(DISTINCT nhs_number)
        FROM patients""",
    )
    assert test_range == total - blank
    assert distinct == total - blank
    assert 0 < total - blank - valid < 0.01 * total


def test_some_contact_details_need_fixing(loaded):
    con, _ = loaded
    no_line1, bad_postcode = one(
        con,
        """
        SELECT count(*) FILTER (address_line_1 IS NULL), count(*) FILTER (NOT postcode_valid) FROM patients""",
    )
    assert 0 < no_line1 < 0.01 * PATIENTS
    assert 0 < bad_postcode < 0.01 * PATIENTS


def test_an_age_and_sex_mix_like_a_gp_list(loaded):
    con, _ = loaded
    children, working, old, female = one(
        con,
        """
        SELECT avg((age < 18)::INT), avg((age BETWEEN 18 AND 64)::INT), avg((age >= 65)::INT), avg((sex = 'F')::INT)
        FROM (SELECT *, date_diff('year', date_of_birth, DATE '2025-03-31') AS age FROM patients)""",
    )
    assert 0.15 < children < 0.28 and 0.5 < working < 0.7 and 0.12 < old < 0.28
    assert 0.45 < female < 0.58


def test_registrations_deregistrations_and_deaths(loaded):
    con, _ = loaded
    left, died, late = one(
        con,
        """
        SELECT avg((deregistration_date IS NOT NULL AND date_of_death IS NULL)::INT),
               avg((date_of_death IS NOT NULL)::INT),
               count(*) FILTER (registration_date > coalesce(deregistration_date, DATE '2025-03-31')
                                OR registration_date < date_of_birth)
        FROM patients""",
    )
    assert 0.04 < left < 0.2 and 0.005 < died < 0.08 and late == 0


def test_a_quarter_of_adults_have_a_pain_code_and_many_of_them_are_in_work(loaded):
    con, _ = loaded
    pain_share, in_work_share = one(
        con,
        """
        WITH coded AS (
            SELECT DISTINCT e.practice_code, e.patient_id FROM events e
            JOIN study_codes c ON c.coding_system = e.coding_system AND c.code = e.code
            WHERE c.codelist IN ('chronic_pain_conditions', 'chronic_pain_diagnosis')
        )
        SELECT avg((c.patient_id IS NOT NULL)::INT),
               avg((t.in_work = 'true')::INT) FILTER (c.patient_id IS NOT NULL AND t.age::INT BETWEEN 18 AND 64)
        FROM truth t LEFT JOIN coded c USING (practice_code, patient_id)
        WHERE t.age::INT >= 18""",
    )
    assert 0.15 <= pain_share <= 0.35
    assert in_work_share > 0.4


def test_every_kind_of_study_record_appears(loaded):
    con, _ = loaded
    found = dict(
        con.execute("""
        SELECT c.codelist, count(*) FROM events e
        JOIN study_codes c ON c.coding_system = e.coding_system AND c.code = e.code GROUP BY 1
        UNION ALL
        SELECT c.codelist, count(*) FROM medications m
        JOIN study_codes c ON c.coding_system = m.coding_system AND c.code = m.code GROUP BY 1""").fetchall()
    )
    for codelist in (
        "chronic_pain_conditions",
        "chronic_pain_diagnosis",
        "pain_medications",
        "employment_status",
        "dementia",
        "palliative_care",
        "research_opt_out",
        "research_opt_out_withdrawn",
        "fit_notes_not_fit",
        "out_of_work_benefits",
        "type2_diabetes",
        "hba1c",
        "egfr",
        "metformin",
        "insulin",
    ):
        assert found.get(codelist, 0) > 0, codelist
    assert found["employment_status"] < 0.2 * PATIENTS  # rare, "may be fit" notes included


def test_records_after_the_extract_date_and_unrelated_codes(loaded):
    con, load = loaded
    assert sum(n for (_, t), n in load.future_records.items() if t == "events") > 0
    unrelated = one(
        con,
        """
        SELECT avg((c.code IS NULL)::INT) FROM events e
        LEFT JOIN study_codes c ON c.coding_system = e.coding_system AND c.code = e.code""",
    )[0]
    assert unrelated > 0.8


def test_the_formats_variety_read_v2_in_seven_characters_uk_dates_ctv3_and_bnf(extract, loaded):
    out, _ = extract
    vision = (out / "Y90002" / "events.csv").read_text().splitlines()
    assert any(",readv2," in line and ".00," in line for line in vision)
    assert "/" in vision[1].split(",")[1]
    assert "extract_date: 31/03/2025" in (out / "Y90002" / "manifest.yaml").read_text()
    con, _ = loaded
    systems = {
        r
        for r in con.execute(
            "SELECT DISTINCT practice_code, coding_system FROM events UNION ALL "
            "SELECT DISTINCT practice_code, coding_system FROM medications"
        ).fetchall()
    }
    assert {
        ("Y90001", "readv2"),
        ("Y90002", "readv2"),
        ("Y90002", "bnf"),
        ("Y90003", "ctv3"),
        ("Y90003", "dmd"),
    } <= systems
    assert one(
        con, "SELECT count(*) FROM events WHERE coding_system = 'readv2' AND length(code) <> 5"
    ) == (0,)


def test_the_answer_key_is_plausible(loaded):
    con, _ = loaded
    eligible, not_eligible_in_pain = one(
        con,
        """
        SELECT count(*) FILTER (eligible = 'true'),
               count(*) FILTER (eligible = 'false' AND in_chronic_pain = 'true' AND age::INT BETWEEN 18 AND 64)
        FROM truth""",
    )
    assert 0 < eligible < not_eligible_in_pain
    with (
        Path(con.execute("SELECT source_folder FROM practices LIMIT 1").fetchall()[0][0]).parent
        / "truth.csv"
    ).open() as fh:
        header = next(csv.reader(fh))
    assert {
        "practice_code",
        "patient_id",
        "in_work",
        "retired",
        "in_chronic_pain",
        "wants_work",
        "eligible",
    } <= set(header)


def test_parquet_extracts_load(tmp_path):
    out = tmp_path / "parquet"
    result = generate(SynthOptions(practices=1, patients=150, seed=3, out=out, fmt="parquet"))
    assert files(out) == [
        "Y90001/events.parquet",
        "Y90001/manifest.yaml",
        "Y90001/medications.parquet",
        "Y90001/patients.parquet",
        "truth.csv",
    ]
    loaded = load_extracts(db.connect(), [out])
    assert loaded.row_counts[("Y90001", "events")] == result.rows["events"]


def test_the_command_line(tmp_path):
    out = tmp_path / "cli"
    args = [
        "synth",
        "--practices",
        "1",
        "--patients",
        "60",
        "--seed",
        "2",
        "--out",
        str(out),
        "--extract-date",
        "2024-06-30",
    ]
    ran = CliRunner().invoke(main, args)
    assert ran.exit_code == 0, ran.output
    assert "Wrote 1 practices" in ran.output and "60 patients" in ran.output
    assert "extract_date: '2024-06-30'" in (out / "Y90001" / "manifest.yaml").read_text()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2
    assert "already exists and is not an empty folder" in again.output
