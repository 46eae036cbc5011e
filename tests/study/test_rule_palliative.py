"""Palliative care: any palliative-care record on or before D excludes."""

from .world import build, days, invited, stopped


def test_any_palliative_record_on_or_before_d():
    con = build(
        patients="""
        patient_id
        long_ago
        on_d
        after_d
        both
        """,
        events=f"""
        patient_id | event_date  | coding_system | code      | # note
        long_ago   | 2010-01-01  | snomedct      | 103735009 |
        on_d       | {days(0)}   | snomedct      | 103735009 |
        after_d    | {days(-1)}  | snomedct      | 103735009 | after D: ignored
        both       | {days(5)}   | snomedct      | 103735009 | palliative and
        both       | {days(5)}   | snomedct      | 52448006  | dementia: dementia comes first
        """,
    )
    assert invited(con) == {"after_d"}
    got = stopped(con)
    assert (got["long_ago"], got["on_d"], got["both"]) == ("palliative", "palliative", "dementia")
