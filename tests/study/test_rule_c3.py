"""C3 repeat pain medication: at least 3 pain_medications issues within 365 days,
the latest at least 90 days after the earliest."""

from .world import build, days, invited

TRAMADOL = "42017811000001106"
GABAPENTIN_BNF = "0408010G0AAABAB"


def test_c3_window_and_span_edges():
    con = build(
        patients="""
        patient_id
        edges
        span89
        two
        outside
        after_d
        mixed
        lower
        events_only
        """,
        medications=f"""
        patient_id | issue_date  | coding_system | code              | # note
        edges      | {days(365)} | dmd           | {TRAMADOL}        | first day of the window
        edges      | {days(300)} | dmd           | {TRAMADOL}        |
        edges      | {days(275)} | dmd           | {TRAMADOL}        | 90 days after the first
        span89     | {days(365)} | dmd           | {TRAMADOL}        |
        span89     | {days(300)} | dmd           | {TRAMADOL}        |
        span89     | {days(276)} | dmd           | {TRAMADOL}        | 89 days after the first
        two        | {days(200)} | dmd           | {TRAMADOL}        | only two issues
        two        | {days(10)}  | dmd           | {TRAMADOL}        |
        outside    | {days(366)} | dmd           | {TRAMADOL}        | the day before the window
        outside    | {days(300)} | dmd           | {TRAMADOL}        |
        outside    | {days(200)} | dmd           | {TRAMADOL}        |
        after_d    | {days(100)} | dmd           | {TRAMADOL}        |
        after_d    | {days(50)}  | dmd           | {TRAMADOL}        |
        after_d    | {days(-1)}  | dmd           | {TRAMADOL}        | after D: ignored
        mixed      | {days(200)} | bnf           | {GABAPENTIN_BNF}  |
        mixed      | {days(150)} | dmd           | {TRAMADOL}        |
        mixed      | {days(0)}   | bnf           | {GABAPENTIN_BNF}  | on D
        lower      | {days(200)} | bnf           | 0408010g0aaabab   | lower case: not the code
        lower      | {days(150)} | dmd           | {TRAMADOL}        |
        lower      | {days(0)}   | dmd           | {TRAMADOL}        |
        """,
        pain=False,
    )
    assert invited(con) == {"edges", "mixed"}
