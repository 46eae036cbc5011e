"""The second shipped study, studies/t2d.yaml: type 2 diabetes not controlled on metformin.

Aged 40 to 80 on D; sex recorded F or M; a type 2 diabetes code; the latest HbA1c
within 365 days >= 58 mmol/mol (every value on that day); metformin issued within
183 days; no insulin issued within 365 days; the latest eGFR ever >= 30. Spec tests
at each edge (checked against the oracle on every patient), then the study end to
end on a small synthetic extract from `cohort synth`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.study.checks import check_study
from pipeline.study.model import build_study, load_study

from . import oracle
from .world import CODES, build, days, run_study

T2D_FILE = Path(__file__).resolve().parents[2] / "studies" / "t2d.yaml"
T2D, T2D_READ, HBA1C, EGFR = "44054006", "C10F7", "999791000000106", "1011481000000105"
METFORMIN, METFORMIN_BNF = "325278007", "0601022B0AAABAB"
INSULIN, INSULIN_BNF = "11933011000001106", "0601012V0AAAAAA"
T2D_CODES = (
    CODES.rstrip()
    + f"""
type2_diabetes             | 1       | snomedct      | {T2D}             | Diabetes mellitus type 2                |
type2_diabetes             | 1       | readv2        | {T2D_READ}        | Type 2 diabetes mellitus - poor control |
hba1c                      | 1       | snomedct      | {HBA1C}           | Haemoglobin A1c level - IFCC standardised |
egfr                       | 1       | snomedct      | {EGFR}            | eGFR using creatinine CKD-EPI per 1.73 m2 |
metformin                  | 1       | dmd           | {METFORMIN}       | Metformin 500mg tablets                 |
metformin                  | 1       | bnf           | {METFORMIN_BNF}   | Metformin 500mg tablets                 |
insulin                    | 1       | dmd           | {INSULIN}         | Lantus 100units/ml SoloStar pens        |
insulin                    | 1       | bnf           | {INSULIN_BNF}     | Insulin glargine                        |
"""
)


def t2d_study():
    data = yaml.safe_load(T2D_FILE.read_text())
    assert check_study(data) == []
    return build_study(data)


STUDY = t2d_study()


def decide(con) -> dict[str, str | None]:
    """patient_id -> the step that stopped them (None: invited), engine and oracle agreeing."""
    run_study(con, STUDY)
    engine = dict(con.execute("SELECT patient_id, stopped_by FROM population").fetchall())
    assert engine == _oracle(con)
    return engine


def _oracle(con) -> dict[str, str | None]:
    tables = {
        name: con.sql(f"SELECT * FROM {name}").pl()
        for name in ("patients", "events", "medications", "run_practices", "codelist_codes",
                     "prior_invitations", "do_not_contact", "screened_out")
    }  # fmt: skip
    return {key[1]: stop for key, stop in oracle.decide(tables, STUDY).items()}


def qualifying_events(*patients: str) -> str:
    """Events that make each of PATIENTS qualify: a T2D code, HbA1c 64 and eGFR 75."""
    rows = []
    for p in patients:
        rows += [
            f"{p} | {days(900)} | snomedct | {T2D}   |",
            f"{p} | {days(60)}  | snomedct | {HBA1C} | 64",
            f"{p} | {days(60)}  | snomedct | {EGFR}  | 75",
        ]
    return "\n".join(rows)


def metformin(*patients: str, ago: int = 30) -> str:
    return "\n".join(f"{p} | {days(ago)} | dmd | {METFORMIN}" for p in patients)


EVENTS = "patient_id | event_date | coding_system | code | value\n"
MEDS = "patient_id | issue_date | coding_system | code\n"


def world(patients: str, events: str = "", medications: str = ""):
    return build(
        patients=patients,
        events=EVENTS + events,
        medications=MEDS + medications,
        codes=T2D_CODES,
        pain=False,
    )


def test_age_40_to_80_and_a_recorded_sex():
    # D is 2024-06-30.
    people = ["aged_40", "aged_39", "aged_80", "aged_81", "sex_m", "sex_u"]
    con = world(
        """
        patient_id | date_of_birth | sex
        aged_40    | 1984-06-30    | F
        aged_39    | 1984-07-01    | F
        aged_80    | 1943-07-01    | M
        aged_81    | 1943-06-30    | M
        sex_m      | 1960-01-01    | M
        sex_u      | 1960-01-01    | U
        """,
        qualifying_events(*people),
        metformin(*people),
    )
    assert decide(con) == {
        "aged_40": None, "aged_39": "age", "aged_80": None, "aged_81": "age", "sex_m": None,
        "sex_u": "sex_not_recorded",
    }  # fmt: skip


def test_a_type_2_diabetes_code_on_or_before_d():
    con = world(
        "patient_id\nread_code\nno_code\nafter_d",
        f"""
        read_code | {days(5000)} | readv2   | {T2D_READ} |
        read_code | {days(60)}   | snomedct | {HBA1C}    | 64
        read_code | {days(60)}   | snomedct | {EGFR}     | 75
        no_code   | {days(60)}   | snomedct | {HBA1C}    | 64
        no_code   | {days(60)}   | snomedct | {EGFR}     | 75
        after_d   | {days(-1)}   | snomedct | {T2D}      |
        after_d   | {days(60)}   | snomedct | {HBA1C}    | 64
        after_d   | {days(60)}   | snomedct | {EGFR}     | 75
        """,
        metformin("read_code", "no_code", "after_d"),
    )
    assert decide(con) == {
        "read_code": None, "no_code": "no_type2_diabetes", "after_d": "no_type2_diabetes",
    }  # fmt: skip


def test_latest_hba1c_within_365_days_at_least_58():
    people = ["at_58", "at_57_9", "day_365", "day_366", "latest_low", "same_day_one_low"]
    con = world(
        "patient_id\n" + "\n".join(people),
        "\n".join(
            f"{p} | {days(900)} | snomedct | {T2D} |\n{p} | {days(60)} | snomedct | {EGFR} | 75"
            for p in people
        )  # fmt: skip
        + f"""
        at_58            | {days(10)}  | snomedct | {HBA1C} | 58
        at_57_9          | {days(10)}  | snomedct | {HBA1C} | 57.9
        day_365          | {days(365)} | snomedct | {HBA1C} | 70
        day_366          | {days(366)} | snomedct | {HBA1C} | 70
        latest_low       | {days(200)} | snomedct | {HBA1C} | 75
        latest_low       | {days(20)}  | snomedct | {HBA1C} | 52
        same_day_one_low | {days(20)}  | snomedct | {HBA1C} | 60
        same_day_one_low | {days(20)}  | snomedct | {HBA1C} | 57
        """,
        metformin(*people),
    )
    assert decide(con) == {
        "at_58": None, "at_57_9": "hba1c_below_58", "day_365": None, "day_366": "hba1c_below_58",
        "latest_low": "hba1c_below_58", "same_day_one_low": "hba1c_below_58",
    }  # fmt: skip


def test_metformin_within_183_days_and_no_insulin_within_365():
    people = ["met_183", "met_184", "met_bnf", "insulin_365", "insulin_366", "insulin_bnf"]
    con = world(
        "patient_id\n" + "\n".join(people),
        qualifying_events(*people),
        f"""
        met_183     | {days(183)} | dmd | {METFORMIN}
        met_184     | {days(184)} | dmd | {METFORMIN}
        met_bnf     | {days(100)} | bnf | {METFORMIN_BNF}
        insulin_365 | {days(365)} | dmd | {INSULIN}
        insulin_366 | {days(366)} | dmd | {INSULIN}
        insulin_bnf | {days(0)}   | bnf | {INSULIN_BNF}
        """
        + metformin("insulin_365", "insulin_366", "insulin_bnf"),
    )
    assert decide(con) == {
        "met_183": None, "met_184": "no_metformin", "met_bnf": None, "insulin_365": "on_insulin",
        "insulin_366": None, "insulin_bnf": "on_insulin",
    }  # fmt: skip


def test_latest_egfr_at_least_30():
    people = ["at_30", "at_29_9", "none", "recovered", "fell", "old_but_latest"]
    con = world(
        "patient_id\n" + "\n".join(people),
        "\n".join(
            f"{p} | {days(900)} | snomedct | {T2D} |\n{p} | {days(30)} | snomedct | {HBA1C} | 64"
            for p in people
        )  # fmt: skip
        + f"""
        at_30          | {days(10)}   | snomedct | {EGFR} | 30
        at_29_9        | {days(10)}   | snomedct | {EGFR} | 29.9
        recovered      | {days(400)}  | snomedct | {EGFR} | 25
        recovered      | {days(100)}  | snomedct | {EGFR} | 45
        fell           | {days(400)}  | snomedct | {EGFR} | 45
        fell           | {days(100)}  | snomedct | {EGFR} | 25
        old_but_latest | {days(3000)} | snomedct | {EGFR} | 60
        """,
        metformin(*people),
    )
    assert decide(con) == {
        "at_30": None, "at_29_9": "egfr_below_30", "none": "egfr_below_30", "recovered": None,
        "fell": "egfr_below_30", "old_but_latest": None,
    }  # fmt: skip


def test_the_shipped_file_loads_against_the_published_codelists():
    study = load_study(T2D_FILE)
    assert study.name == "t2d" and study.screening == "required"
    assert {a: v for a, _, v in study.codelist_refs()} == {
        "type2_diabetes": "1", "hba1c": "1", "egfr": "1", "metformin": "1", "insulin": "1",
        "research_opt_out": "1", "research_opt_out_withdrawn": "1", "palliative_care": "1",
        "dementia": "1",
    }  # fmt: skip
    from pipeline.invitations.letter_text import letter_text

    words = letter_text(study)
    assert "metformin" in words.purpose and len(words.eligibility_questions) == 3


@pytest.fixture(scope="module")
def t2d_run(tmp_path_factory):
    """`cohort synth` (1 practice, 3,000 patients) then `cohort run --study studies/t2d.yaml`."""
    base = tmp_path_factory.mktemp("t2d")
    runner = CliRunner()
    synth = runner.invoke(
        main, ["synth", "--practices", "1", "--patients", "3000", "--seed", "4", "--out",
               str(base / "extracts")],
    )  # fmt: skip
    assert synth.exit_code == 0, synth.output
    ws = base / "ws"
    result = runner.invoke(
        main,
        ["run", str(base / "extracts"), "--study", str(T2D_FILE), "--workspace", str(ws),
         "--new-workspace", "--pdf", "never", "--quiet"],
        env={"PATH": str(base)},  # no Chromium: letters as HTML
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = [p for p in (ws / "runs").iterdir() if not p.name.startswith(".")]
    return run, ws


def test_end_to_end_on_a_synthetic_extract(t2d_run):
    run, ws = t2d_run
    con = duckdb.connect(str(run / "run.duckdb"), read_only=True)
    try:
        engine = dict(con.execute("SELECT patient_id, stopped_by FROM population").fetchall())
        assert engine == _oracle(con)
        stops = {s for s in engine.values() if s}
        invited = {p for p, s in engine.items() if s is None}
        values = con.execute(
            "SELECT min(hba1c_high_value), min(egfr_ok_value), min(age), max(age) "
            "FROM population WHERE invited"
        ).fetchone()
    finally:
        con.close()
    # The synthetic world exercises every rule of the study.
    assert {"age", "no_type2_diabetes", "hba1c_below_58", "no_metformin", "on_insulin"} <= stops
    assert invited
    assert values[0] >= 58 and values[1] >= 30 and values[2] >= 40 and values[3] <= 80
    # GP screening first (the study's default): a list, no letters yet.
    listed = run / "screening" / "screening_list.csv"
    with listed.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["patient_id"] for r in rows} == invited and not (run / "mailmerge.csv").exists()
    # The GP includes everyone but one; the letters go to those included.
    for r in rows:
        r["decision"] = "include"
    rows[0] |= {"decision": "exclude", "reason": "serious_illness"}
    decided = ws.parent / "decisions.csv"
    with decided.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    runner = CliRunner()
    imported = runner.invoke(main, ["screen", "import", str(decided), "--workspace", str(ws)])
    assert imported.exit_code == 0, imported.output
    released = runner.invoke(
        main, ["release", run.name, "--workspace", str(ws), "--pdf", "never"],
        env={"PATH": str(ws.parent)},
    )  # fmt: skip
    assert released.exit_code == 0, released.output
    with (run / "mailmerge.csv").open(encoding="utf-8-sig") as fh:
        assert {r["patient_id"] for r in csv.DictReader(fh)} == invited - {rows[0]["patient_id"]}
    letters = next((run / "practices").iterdir()) / "letters.html"
    assert "type 2 diabetes" in letters.read_text(encoding="utf-8")
