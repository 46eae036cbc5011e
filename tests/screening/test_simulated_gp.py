"""The simulated GP: excludes the stated share of people truly in work, other reasons at
their stated rates, the same way every time; its file is one `cohort screen import` takes."""

from __future__ import annotations

import pytest

from pipeline.screening.simulated_gp import GPAssumptions, screen_people, simulate_gp

from .conftest import cohort, read_csv, write_csv


def world(n: int, in_work_every: int = 2) -> dict:
    return {
        ("A81001", f"p{i}"): {"in_work": "true" if i % in_work_every == 0 else "false"}
        for i in range(n)
    }


def test_it_excludes_about_the_stated_share_of_people_in_work():
    truth = world(4000)
    decided = screen_people(truth, truth, GPAssumptions(knows_in_work=0.3, other_reasons={}))
    in_work = [k for k, r in truth.items() if r["in_work"] == "true"]
    out = [k for k in in_work if decided[k] == ("exclude", "in_work")]
    assert len(out) / len(in_work) == pytest.approx(0.3, abs=0.03)
    assert all(decided[k] == ("include", None) for k, r in truth.items() if r["in_work"] == "false")


def test_other_reasons_at_their_rates_and_the_same_decisions_every_time():
    truth = world(4000, in_work_every=10**9)  # nobody in work but p0
    rates = {"bereavement": 0.1, "other": 0.05}
    first = screen_people(truth, truth, GPAssumptions(other_reasons=rates, seed=3))
    again = screen_people(reversed(list(truth)), truth, GPAssumptions(other_reasons=rates, seed=3))
    other_seed = screen_people(truth, truth, GPAssumptions(other_reasons=rates, seed=4))
    assert first == again and first != other_seed
    reasons = [r for d, r in first.values() if d == "exclude"]
    assert reasons.count("bereavement") / 4000 == pytest.approx(0.1, abs=0.02)
    assert reasons.count("other") / 4000 == pytest.approx(0.05, abs=0.015)


def test_a_knowing_gp_excludes_everyone_in_work_and_nobody_else():
    truth = world(50)
    decided = screen_people(truth, truth, GPAssumptions(knows_in_work=1.0, other_reasons={}))
    assert {k for k, (d, _) in decided.items() if d == "exclude"} == {
        k for k, r in truth.items() if r["in_work"] == "true"
    }


def test_its_decisions_file_imports(ws, folder, tmp_path):
    listed = read_csv(folder / "screening" / "screening_list.csv")
    rows = [
        {
            "practice_code": r["practice_code"],
            "patient_id": r["patient_id"],
            "in_work": str(i % 2 == 0).lower(),
        }
        for i, r in enumerate(listed)
    ]
    truth = write_csv(tmp_path / "truth.csv", rows)
    result = simulate_gp(
        truth=truth,
        screening_list=folder / "screening" / "screening_list.csv",
        out=tmp_path / "decisions.csv",
        assumptions=GPAssumptions(knows_in_work=1.0, other_reasons={"other": 0.0}),
    )
    assert result.listed == 9 and result.in_work_listed == 5 and result.excluded == {"in_work": 5}
    imported = cohort("screen", "import", tmp_path / "decisions.csv", "--workspace", ws)
    assert imported.exit_code == 0, imported.output
    assert "4 included, 5 excluded (in_work 5)" in imported.output
