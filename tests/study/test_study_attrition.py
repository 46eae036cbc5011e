"""Attrition: patients remaining after each step, overall and per practice, and its text table."""

import datetime as dt

from pipeline.study.execute import format_attrition

from .world import build, days, run

D = dt.date(2024, 6, 30)


def two_practices():
    return build(
        patients="""
        practice_code | patient_id | date_of_birth | registration_date | postcode | postcode_valid
        A00001        | ok1        | 1980-01-01    | 2000-01-01        | SO16 6YD | true
        A00001        | ok2        | 1980-01-01    | 2000-01-01        | SO16 6YD | true
        A00001        | child      | 2015-01-01    | 2015-01-01        | SO16 6YD | true
        A00001        | new        | 1980-01-01    | 2030-01-01        | SO16 6YD | true
        A00001        | held       | 1980-01-01    | 2000-01-01        |          | false
        B00002        | ok1        | 1980-01-01    | 2000-01-01        | SO16 6YD | true
        B00002        | working    | 1980-01-01    | 2000-01-01        | SO16 6YD | true
        B00002        | demented   | 1980-01-01    | 2000-01-01        | SO16 6YD | true
        C00003        | child      | 2015-01-01    | 2015-01-01        | SO16 6YD | true
        """,
        events=f"""
        practice_code | patient_id | event_date  | coding_system | code
        B00002        | working    | {days(5)}   | snomedct      | 224363007
        B00002        | demented   | {days(5)}   | snomedct      | 52448006
        A00001        | ok2        | {days(300)} | readv2        | N2423
        A00001        | ok2        | {days(100)} | readv2        | N2423
        """,
        index_dates={"A00001": D, "B00002": D, "C00003": D},
    )


def table(result, practice: str) -> dict[str, tuple[int, int | None]]:
    return {
        r["step"]: (r["remaining"], r["removed"])
        for r in result.attrition
        if r["practice_code"] == practice
    }


def test_counts_after_each_step_overall_and_per_practice():
    result = run(two_practices())
    assert result.patients == 9 and result.invited == 3 and result.quarantined == 1
    overall = table(result, "ALL")
    assert list(overall) == [
        "extract", "not_registered", "not_alive", "age", "no_chronic_pain", "c1", "c2", "c3", "in_work",
        "dementia", "palliative", "opt_out", "already_invited", "do_not_contact", "screened_out", "data_quality",
        "invited",
    ]  # fmt: skip
    assert overall["extract"] == (9, 0)
    assert overall["not_registered"] == (8, 1)
    assert overall["age"] == (6, 2)
    assert overall["no_chronic_pain"] == (6, 0)
    assert (overall["c1"], overall["c2"], overall["c3"]) == ((1, None), (6, None), (0, None))
    assert overall["in_work"] == (5, 1)
    assert overall["dementia"] == (4, 1)
    assert overall["data_quality"] == (3, 1)
    assert overall["invited"] == (3, 0)
    assert table(result, "A00001")["invited"] == (2, 0)
    assert table(result, "B00002")["dementia"] == (1, 1)
    assert table(result, "C00003")["age"] == (0, 1)


def test_each_step_removes_what_its_count_says():
    result = run(two_practices())
    for practice in ("ALL", "A00001", "B00002", "C00003"):
        steps = [
            r
            for r in result.attrition
            if r["practice_code"] == practice and r["removed"] is not None
        ]
        for before, after in zip(steps, steps[1:], strict=False):
            assert after["remaining"] == before["remaining"] - after["removed"]


def test_a_practice_with_no_patients_still_has_its_rows():
    con = two_practices()
    con.execute("INSERT INTO run_practices VALUES ('E00005', DATE '2024-06-30')")
    result = run(con)
    assert table(result, "E00005")["invited"] == (0, 0)


def test_the_text_table_has_one_line_per_step_and_a_column_per_practice():
    text = format_attrition(run(two_practices()).attrition)
    lines = text.splitlines()
    assert lines[2].split() == ["ALL", "A00001", "B00002", "C00003"]
    assert "Of working age" in text and "  C1 repeated pain conditions" in text
    working_age = next(line for line in lines if line.startswith("Of working age"))
    assert working_age.split()[3:] == ["6", "(-2)", "3", "(-1)", "3", "0", "(-1)"]
    assert lines[-1].split() == ["Invited", "3", "2", "1", "0"]


def test_the_text_table_splits_many_practices_into_blocks():
    rows = [
        {
            "practice_code": p,
            "row_no": 1,
            "step_no": 0,
            "step": "extract",
            "label": "Patients",
            "remaining": 1,
            "removed": 0,
        }
        for p in ["ALL"] + [f"A0000{i}" for i in range(1, 9)]
    ]
    text = format_attrition(rows, practices_per_block=4)
    assert text.count("Patients") == 3
    assert format_attrition([]) == "Attrition: no patients."
