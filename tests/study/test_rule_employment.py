"""Not known to be in work: take the employment_status records within 730 days, keep
those on the latest date; excluded if any of them is employed, retired or student."""

from .world import build, days, invited, stopped

EMPLOYED, FULL_TIME, UNEMPLOYED, RETIRED, STUDENT = (
    "224363007",
    "160903007",
    "73438004",
    "105493001",
    "65853000",
)


def test_latest_date_in_the_window_decides():
    con = build(
        patients="""
        patient_id
        no_record
        now_unemployed
        now_employed
        same_day
        same_day_earlier
        retired
        student
        outside
        first_day
        on_d
        after_d
        """,
        events=f"""
        patient_id       | event_date  | coding_system | code         | # note
        now_unemployed   | {days(100)} | snomedct      | {EMPLOYED}   |
        now_unemployed   | {days(10)}  | snomedct      | {UNEMPLOYED} | latest: unemployed
        now_employed     | {days(100)} | snomedct      | {UNEMPLOYED} |
        now_employed     | {days(10)}  | snomedct      | {FULL_TIME}  | latest: employed
        same_day         | {days(10)}  | snomedct      | {UNEMPLOYED} | same day as
        same_day         | {days(10)}  | snomedct      | {EMPLOYED}   | an employed code: excluded
        same_day_earlier | {days(50)}  | snomedct      | {UNEMPLOYED} | an earlier same-day pair
        same_day_earlier | {days(50)}  | snomedct      | {EMPLOYED}   |
        same_day_earlier | {days(10)}  | snomedct      | {UNEMPLOYED} | then unemployed alone
        retired          | {days(10)}  | snomedct      | {RETIRED}    |
        student          | {days(10)}  | snomedct      | {STUDENT}    |
        outside          | {days(731)} | snomedct      | {EMPLOYED}   | the day before the window
        first_day        | {days(730)} | snomedct      | {EMPLOYED}   | first day of the window
        on_d             | {days(0)}   | snomedct      | {EMPLOYED}   | on D: the window's last day
        after_d          | {days(200)} | snomedct      | {UNEMPLOYED} |
        after_d          | {days(-1)}  | snomedct      | {EMPLOYED}   | after D: ignored
        """,
    )
    assert invited(con) == {"no_record", "now_unemployed", "same_day_earlier", "outside", "after_d"}
    assert stopped(con)["same_day"] == "in_work"


def test_population_shows_the_deciding_category_and_date():
    con = build(
        patients="""
        patient_id
        same_day
        unemployed
        none
        """,
        events=f"""
        patient_id | event_date  | coding_system | code
        same_day   | {days(10)}  | snomedct      | {UNEMPLOYED}
        same_day   | {days(10)}  | snomedct      | {EMPLOYED}
        unemployed | {days(20)}  | snomedct      | {UNEMPLOYED}
        """,
    )
    invited(con)
    rows = con.execute(
        "SELECT patient_id, employment_category, employment_categories, employment_date, not_in_work"
        " FROM population ORDER BY patient_id"
    ).fetchall()
    assert rows == [
        ("none", None, None, None, True),
        ("same_day", "employed", ["employed", "unemployed"], days(10), False),
        ("unemployed", "unemployed", ["unemployed"], days(20), True),
    ]


def test_excluding_categories_come_from_the_study_file():
    from .world import study

    con = build(
        patients="""
        patient_id
        retired
        """,
        events=f"""
        patient_id | event_date | coding_system | code
        retired    | {days(10)} | snomedct      | {RETIRED}
        """,
    )
    assert invited(con, study(employment={"category_in": ["employed", "student"]})) == {"retired"}
