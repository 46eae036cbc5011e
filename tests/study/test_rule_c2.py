"""C2 chronic pain recorded: at least 1 chronic_pain_diagnosis event within 730 days."""

from .world import build, days, invited


def test_c2_window_edges_and_codes():
    con = build(
        patients="""
        patient_id
        first_day
        outside
        on_d
        after_d
        read
        lower
        both_lists
        none
        """,
        events=f"""
        patient_id | event_date  | coding_system | code     | # note
        first_day  | {days(730)} | snomedct      | 82423001 | first day of the window
        outside    | {days(731)} | snomedct      | 82423001 | the day before the window
        on_d       | {days(0)}   | readv2        | 1M52.    | on D
        after_d    | {days(-1)}  | readv2        | 1M52.    | after D: ignored
        read       | {days(100)} | readv2        | 1M52.    |
        lower      | {days(100)} | readv2        | 1m52.    | lower case: not the code
        both_lists | {days(100)} | readv2        | 16C9.    | chronic low back pain (also a C1 code)
        """,
        pain=False,
    )
    assert invited(con) == {"first_day", "on_d", "read", "both_lists"}


def test_a_c2_code_in_the_wrong_coding_system_does_not_match():
    con = build(
        patients="""
        patient_id
        p1
        """,
        events=f"""
        patient_id | event_date  | coding_system | code
        p1         | {days(10)}  | ctv3          | 1M52.
        """,
        pain=False,
    )
    assert invited(con) == set()
