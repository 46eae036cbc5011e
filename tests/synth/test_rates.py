"""The synthetic world keeps its stated rates (on a sample, within tolerance), its
truth is consistent with itself and with the records, and its doc lists every rate."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipeline.synth import SynthOptions, codes, generate, rates, world_doc
from pipeline.synth.replies import REPLY_RATES, reply

R = {k: v.value for k, v in rates.RATES.items()}
EXTRACT = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("rates") / "extracts"
    generate(SynthOptions(practices=2, patients=12_000, seed=5, out=out))
    con = duckdb.connect()
    con.execute("CREATE TABLE truth AS SELECT * FROM read_csv($p)", {"p": str(out / "truth.csv")})
    con.execute(
        "CREATE TABLE events AS SELECT *, regexp_extract(filename, '(Y9[0-9]+)', 1) AS practice_code "
        "FROM read_csv($p, all_varchar = true, filename = true)",
        {"p": str(out / "*" / "events.csv")},
    )
    con.execute("CREATE TABLE study_codes (codelist VARCHAR, coding_system VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO study_codes VALUES (?, ?, ?)", codes.study_codes())
    return con


def one(con, sql: str):
    return con.execute(sql).fetchall()[0]


def test_the_doc_lists_every_constant_as_it_is():
    assert world_doc.updated(world_doc.DOC.read_text(encoding="utf-8")) == (
        world_doc.DOC.read_text(encoding="utf-8")
    ), "run `python -m pipeline.synth.world_doc`"
    for name, rate in {**rates.RATES, **REPLY_RATES}.items():
        assert rate.source and rate.meaning, name


def test_work_by_age_rows_are_shares_that_sum_to_one():
    for row in rates.WORK_BY_AGE:
        assert abs(sum(row[2:]) - 1) < 1e-9, row


def test_chronic_pain_by_age_is_as_stated(world):
    for lo, hi, p in rates.PAIN_BY_AGE[1:4]:
        (share,) = one(
            world, f"SELECT avg(in_chronic_pain::INT) FROM truth WHERE age BETWEEN {lo} AND {hi}"
        )
        assert abs(share - p) < 0.04, (lo, hi, share)
    (disabling,) = one(
        world, "SELECT avg((pain_severity = 'disabling')::INT) FROM truth WHERE in_chronic_pain"
    )
    assert abs(disabling - R["PAIN_DISABLING_SHARE"]) < 0.03


def test_work_status_without_pain_is_the_age_bands(world):
    (employed,) = one(
        world,
        "SELECT avg(in_work::INT) FROM truth WHERE age BETWEEN 35 AND 49 AND NOT in_chronic_pain",
    )
    assert abs(employed - rates.WORK_BY_AGE[3][2]) < 0.03
    (self_employed,) = one(
        world, "SELECT avg((employment = 'self_employed')::INT) FROM truth WHERE in_work"
    )
    assert abs(self_employed - R["SELF_EMPLOYED_SHARE"]) < 0.03


def test_disabling_pain_keeps_jobs_at_the_stated_ratio(world):
    ratio = one(
        world,
        """
        SELECT avg(in_work::INT) FILTER (pain_severity = 'disabling')
               / avg(in_work::INT) FILTER (NOT in_chronic_pain)
        FROM truth WHERE age BETWEEN 25 AND 49""",
    )[0]
    assert abs(ratio - R["EMPLOYED_RATIO_DISABLING"]) < 0.12


def test_type_2_diabetes_about_as_common_as_qof_says(world):
    (share,) = one(world, "SELECT avg(type2_diabetes::INT) FROM truth WHERE age >= 17")
    assert 0.04 < share < 0.10


def test_nobody_is_out_of_work_because_of_pain_before_the_pain_began(world):
    bad, by_pain = one(
        world,
        """
        SELECT count(*) FILTER (job_loss_date IS NULL OR pain_onset IS NULL OR job_loss_date <= pain_onset
                                OR NOT in_chronic_pain OR employment NOT IN ('unemployed', 'long_term_sick')
                                OR work_status_since <> job_loss_date),
               count(*)
        FROM truth WHERE out_of_work_because_of_pain""",
    )
    assert by_pain > 50 and bad == 0
    (stray,) = one(
        world,
        "SELECT count(*) FROM truth WHERE job_loss_date IS NOT NULL AND NOT out_of_work_because_of_pain",
    )
    assert stray == 0


def test_eligible_means_every_condition_and_nothing_else(world):
    bad, eligible = one(
        world,
        f"""
        SELECT count(*) FILTER (NOT (registered AND alive AND age BETWEEN 18 AND 64 AND in_chronic_pain
                                     AND out_of_work_because_of_pain AND DATE '{EXTRACT}' - job_loss_date >= 91
                                     AND NOT had_ips AND can_consent AND wants_work)
                                OR ineligible_reason IS NOT NULL),
               count(*)
        FROM truth WHERE eligible""",
    )
    assert eligible > 20 and bad == 0
    (unexplained,) = one(
        world, "SELECT count(*) FROM truth WHERE NOT eligible AND ineligible_reason IS NULL"
    )
    assert unexplained == 0


def test_the_records_show_fit_notes_where_the_truth_says(world):
    by_pain, in_work = one(
        world,
        """
        WITH notes AS (
            SELECT DISTINCT e.practice_code, e.patient_id FROM events e
            JOIN study_codes c ON c.coding_system = e.coding_system AND c.code = e.code
            WHERE c.codelist = 'fit_notes_not_fit'
        )
        SELECT avg((n.patient_id IS NOT NULL)::INT) FILTER (t.out_of_work_because_of_pain),
               avg((n.patient_id IS NOT NULL)::INT) FILTER (t.in_work AND t.age BETWEEN 18 AND 64)
        FROM truth t LEFT JOIN notes n ON n.practice_code = t.practice_code AND n.patient_id = t.patient_id::VARCHAR""",
    )
    assert by_pain > 0.5 and 0.05 < in_work < by_pain


def test_hba1c_values_are_in_mmol_per_mol_and_higher_with_diabetes(world):
    t2d, other = one(
        world,
        """
        SELECT avg(e.value::DOUBLE) FILTER (t.type2_diabetes), avg(e.value::DOUBLE) FILTER (NOT t.type2_diabetes)
        FROM events e JOIN study_codes c ON c.coding_system = e.coding_system AND c.code = e.code
        JOIN truth t ON t.practice_code = e.practice_code AND t.patient_id::VARCHAR = e.patient_id
        WHERE c.codelist = 'hba1c'""",
    )
    assert 50 < t2d < 66 and 30 <= other <= 46


def test_every_letter_has_one_fate_and_the_same_one_each_time():
    truth = {
        "practice_code": "Y90001",
        "patient_id": "1",
        "in_work": "true",
        "in_chronic_pain": "true",
    }
    fates = [reply(truth, f"k{i}", seed=3) for i in range(3000)]
    assert fates == [reply(truth, f"k{i}", seed=3) for i in range(3000)]
    outcomes = {f.outcome for f in fates}
    assert outcomes <= {"undeliverable", "no_reply", "complaint", "declined", "ineligible"}
    enquired = sum(f.enquired for f in fates) / len(fates)
    assert abs(enquired - REPLY_RATES["ENQUIRE_IN_WORK"].value) < 0.01
