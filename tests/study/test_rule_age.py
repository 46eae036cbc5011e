"""Working age: 18 to 64 in completed years on D; born 29 February, the birthday
is 1 March in years without one."""

import datetime as dt

from .world import build, invited, stopped

D = dt.date(2024, 6, 30)


def test_birthday_edges_at_18_and_65():
    con = build(
        patients="""
        patient_id | date_of_birth | # age on D = 2024-06-30
        turns18_d  | 2006-06-30    | 18th birthday on D: 18
        turns18_next| 2006-07-01   | 18th birthday the day after D: 17
        is64       | 1959-07-01    | 65th birthday the day after D: 64
        turns65_d  | 1959-06-30    | 65th birthday on D: 65
        child      | 2015-01-01    |
        older      | 1940-01-01    |
        """,
        index_dates=D,
    )
    assert invited(con) == {"turns18_d", "is64"}
    assert stopped(con)["turns18_next"] == "age"


def test_born_29_february_has_a_birthday_on_1_march_in_other_years():
    # Born 2004-02-29: 18 on 2022-03-01 (2022 has no 29 February), not on 2022-02-28.
    # Born 1960-02-29: 65 on 2025-03-01, still 64 on 2025-02-28.
    # Practices A..D differ only in their index date.
    dates = {
        "A00001": dt.date(2022, 2, 28),
        "B00002": dt.date(2022, 3, 1),
        "C00003": dt.date(2025, 2, 28),
        "D00004": dt.date(2025, 3, 1),
    }
    con = build(
        patients="""
        practice_code | patient_id | date_of_birth
        A00001        | young      | 2004-02-29
        B00002        | young      | 2004-02-29
        C00003        | old        | 1960-02-29
        D00004        | old        | 1960-02-29
        """,
        index_dates=dates,
    )
    invited(con)
    got = con.execute("SELECT practice_code, age, invited FROM population ORDER BY 1").fetchall()
    assert got == [
        ("A00001", 17, False),
        ("B00002", 18, True),
        ("C00003", 64, True),
        ("D00004", 65, False),
    ]


def test_29_february_in_a_leap_year_is_the_birthday():
    con = build(
        patients="""
        practice_code | patient_id | date_of_birth
        A00001        | p1         | 1960-02-29
        B00002        | p1         | 1960-02-29
        """,
        index_dates={"A00001": dt.date(2024, 2, 28), "B00002": dt.date(2024, 2, 29)},
    )
    invited(con)
    ages = dict(con.execute("SELECT practice_code, age FROM population").fetchall())
    assert ages == {"A00001": 63, "B00002": 64}


def test_the_age_band_comes_from_the_study_file():
    from .world import study

    con = build(
        patients="""
        patient_id | date_of_birth
        is40       | 1984-01-01
        is60       | 1964-01-01
        """,
        index_dates=D,
    )
    assert invited(con, study(working_age={"min": 50, "max": 70})) == {"is60"}
