"""studies/codelist-only.yaml: the pilot's codelist search as a baseline (issue 14 item 4).

Registered, alive, of working age, with chronic pain by any route; no rule about work,
no exclusions of its own, no score; then only the built-in final steps."""

from __future__ import annotations

from pathlib import Path

from pipeline.study.model import load_study

from .world import INSTEP, build, days, invited

BASELINE = load_study(Path(__file__).resolve().parents[2] / "studies" / "codelist-only.yaml")
EMPLOYED, DEMENTIA, BENEFIT = "224363007", "52448006", "160978002"


def test_only_the_pilots_search_and_the_built_in_steps():
    assert [s.stop for s in BASELINE.all_steps()] == [
        "not_registered", "not_alive", "age", "no_chronic_pain",
        "already_invited", "do_not_contact", "screened_out", "data_quality",
    ]  # fmt: skip
    assert BASELINE.score == () and BASELINE.out_of_work_evidence is None
    # The same routes, with the same numbers, as InStep's.
    for name in ("working_age", "c1", "c2", "c3", "chronic_pain"):
        assert BASELINE.criterion(name) == INSTEP.criterion(name)


def test_it_writes_to_people_in_work_and_with_dementia_and_instep_does_not():
    con = build(
        patients="""
        patient_id | date_of_birth | date_of_death
        employed   | 1980-06-15    |
        dementia   | 1980-06-15    |
        benefit    | 1980-06-15    |
        aged_65    | 1959-06-30    |
        dead       | 1980-06-15    | 2024-06-01
        """,
        events=f"""
        patient_id | event_date | coding_system | code
        employed   | {days(10)} | snomedct      | {EMPLOYED}
        dementia   | {days(10)} | snomedct      | {DEMENTIA}
        benefit    | {days(10)} | snomedct      | {BENEFIT}
        """,
    )
    assert invited(con, BASELINE) == {"employed", "dementia", "benefit"}
    assert invited(con, INSTEP) == {"benefit"}
