"""C1 repeated pain conditions: at least 2 chronic_pain_conditions events within 730
days of D (D - 730 <= date <= D), the latest at least 90 days after the earliest."""

from .world import build, days, invited, stopped

PATIENTS = """
patient_id
edges
span90
span89
outside
after_d
one
descendant
lower
other_code
three_short
"""


def test_c1_window_and_span_edges():
    con = build(
        patients=PATIENTS,
        events=f"""
        patient_id | event_date | coding_system | code      | # note
        edges      | {days(730)} | snomedct     | 279039007 | first day of the window
        edges      | {days(640)} | snomedct     | 279039007 | 90 days later
        span90     | {days(90)}  | readv2       | N2423     |
        span90     | {days(0)}   | readv2       | N2423     | D itself, exactly 90 days later
        span89     | {days(89)}  | readv2       | N2423     |
        span89     | {days(0)}   | readv2       | N2423     | only 89 days later
        outside    | {days(731)} | snomedct     | 279039007 | the day before the window
        outside    | {days(641)} | snomedct     | 279039007 |
        after_d    | {days(91)}  | snomedct     | 279039007 |
        after_d    | {days(-1)}  | snomedct     | 279039007 | after D: ignored
        one        | {days(400)} | snomedct     | 203082005 | a single event
        descendant | {days(300)} | readv2       | 16C..     |
        descendant | {days(100)} | readv2       | 16C2.     | Read v2 child of 16C.. (expanded in codelist_codes)
        lower      | {days(300)} | readv2       | 16C..     |
        lower      | {days(100)} | readv2       | 16c2.     | lower case: a different code
        other_code | {days(300)} | readv2       | 16C..     |
        other_code | {days(100)} | readv2       | 16D..     | not in the codelist
        three_short| {days(60)}  | readv2       | 16C..     |
        three_short| {days(30)}  | readv2       | 16C..     |
        three_short| {days(1)}   | readv2       | 16C..     | three events, 59 days apart
        """,
        pain=False,
    )
    assert invited(con) == {"edges", "span90", "descendant"}
    assert stopped(con)["span89"] == "no_chronic_pain"
    flags = dict(con.execute("SELECT patient_id, c1 FROM population").fetchall())
    assert {p for p, c1 in flags.items() if c1} == {"edges", "span90", "descendant"}


def test_c1_counts_are_from_the_study_file():
    from .world import study

    con = build(
        patients="""
        patient_id
        two
        three
        """,
        events=f"""
        patient_id | event_date  | coding_system | code
        two        | {days(200)} | readv2        | N2423
        two        | {days(10)}  | readv2        | N2423
        three      | {days(200)} | readv2        | N2423
        three      | {days(100)} | readv2        | N2423
        three      | {days(10)}  | readv2        | N2423
        """,
        pain=False,
    )
    three_events = study(c1={"within_days": 730, "min_count": 3, "min_span_days": 90})
    assert invited(con, three_events) == {"three"}


def test_events_of_another_practice_do_not_count():
    con = build(
        patients="""
        practice_code | patient_id
        A00001        | p1
        B00002        | p1
        """,
        events=f"""
        practice_code | patient_id | event_date  | coding_system | code
        A00001        | p1         | {days(200)} | readv2        | N2423
        B00002        | p1         | {days(10)}  | readv2        | N2423
        """,
        index_dates={"A00001": days(0), "B00002": days(0)},
        pain=False,
    )
    invited(con)
    assert con.execute("SELECT count(*) FROM population WHERE c1").fetchone()[0] == 0
