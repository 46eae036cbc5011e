"""Dementia: any dementia record on or before D excludes (consent needs capacity)."""

from .world import build, days, invited, stopped


def test_any_dementia_record_on_or_before_d():
    con = build(
        patients="""
        patient_id
        long_ago
        on_d
        after_d
        descendant
        lower
        """,
        events=f"""
        patient_id | event_date  | coding_system | code     | # note
        long_ago   | 2001-05-01  | snomedct      | 52448006 | no window: any time before D
        on_d       | {days(0)}   | snomedct      | 52448006 |
        after_d    | {days(-1)}  | snomedct      | 52448006 | after D: ignored
        descendant | {days(50)}  | readv2        | Eu001    | Read v2 child of Eu00.
        lower      | {days(50)}  | readv2        | eu00.    | lower case: not the code
        """,
    )
    assert invited(con) == {"after_d", "lower"}
    assert stopped(con)["long_ago"] == "dementia"
