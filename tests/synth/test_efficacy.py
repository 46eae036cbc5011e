"""The efficacy figures: per letter sent, shares of the right people, intervals."""

from __future__ import annotations

import math

from pipeline.synth import efficacy


def person(i: int, **flags) -> dict:
    return {"practice_code": "Y90001", "patient_id": str(i), **flags}


def test_figures_are_per_letter_and_recall_is_of_everyone_eligible():
    rows = [person(1, eligible="true", in_chronic_pain="true")]
    rows += [person(i, in_work="true", in_chronic_pain="true") for i in range(2, 5)]
    rows += [person(5, retired="true")]
    found = efficacy.figures(rows, working_age=100, eligible_all=4, seed=1)
    assert found["letters"] == 5 and found["per_1000"] == 50
    assert found["precision"] == 0.2 and found["recall"] == 0.25
    assert found["in_work"] == 0.6 and found["retired"] == 0.2 and found["student"] == 0


def test_no_letters_gives_no_shares_rather_than_a_crash():
    found = efficacy.figures([], working_age=0, eligible_all=0, seed=1)
    assert (
        found["letters"] == 0 and math.isnan(found["precision"]) and math.isnan(found["enquiries"])
    )


def test_a_95_percent_interval_over_seeds():
    mean, lo, hi = efficacy.interval([1.0, 2.0, 3.0, 4.0, 5.0])
    assert mean == 3.0 and round(hi - mean, 3) == round(2.776 * math.sqrt(2.5) / math.sqrt(5), 3)
    assert efficacy.interval([2.0]) == (2.0, 2.0, 2.0)


def test_within_twice_the_pilot_and_not_beyond():
    near = {"enquiries": 3.0, "eligible_share_of_enquirers": 0.3, "recruits": 1.3}
    far = {"enquiries": 2.7, "eligible_share_of_enquirers": 0.95, "recruits": 5.2}
    assert all(efficacy.within_pilot([near]).values())
    assert not any(efficacy.within_pilot([far]).values())


def test_the_table_has_the_pilot_column():
    rows = {"codelist-only": [efficacy.figures([person(1, eligible="true")], working_age=10,
                                               eligible_all=1, seed=1)]}  # fmt: skip
    table = efficacy.format_table(rows)
    assert "pilot Table 1" in table.splitlines()[0] and "5.60" in table


def test_measured_on_a_real_run_the_search_sends_at_least_the_rules_letters(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.synth import SynthOptions, generate

    extracts, ws = tmp_path / "extracts", tmp_path / "ws"
    generate(SynthOptions(practices=1, patients=600, seed=4, out=extracts))
    args = ["run", str(extracts), "--workspace", str(ws), "--new-workspace", "-q", "--pdf", "never"]
    args += ["--max-invites-per-practice", "1000000"]
    if "--screening" in CliRunner().invoke(main, ["run", "--help"]).output:
        args += ["--screening", "off", "--reason", "efficacy test: letters without GP review"]
    ran = CliRunner().invoke(main, args)
    assert ran.exit_code == 0, ran.output
    (run_db,) = ws.glob("runs/*/run.duckdb")
    world = efficacy.World(run_db, extracts / "truth.csv")
    search = efficacy.measure(world, efficacy.CODELIST_ONLY, seed=1)
    letters = efficacy.measure(world, seed=1)
    import duckdb

    with duckdb.connect(str(run_db), read_only=True) as con:
        people = con.execute("SELECT practice_code, patient_id FROM invitations").fetchall()
    assert letters["letters"] == len(people) > 0
    assert efficacy.measure(world, seed=1, people=people) == letters
    assert search["letters"] >= letters["letters"] and search["recall"] >= letters["recall"]
    half = efficacy.measure(world, seed=1, keep=lambda rows: rows[: len(rows) // 2])
    assert half["letters"] == len(people) // 2
