"""Research opt-out (type 1 dissent) excludes unless a withdrawal of it is dated
strictly later. A withdrawal on the same day does not lift it (the order of two
records on one day is unknown, so the opt-out stands)."""

from .world import build, days, invited, stopped

OPT_OUT, WITHDRAWN = "827241000000103", "827261000000102"


def test_opt_out_and_withdrawal_dates():
    con = build(
        patients="""
        patient_id
        opted_out
        withdrawn_later
        same_day
        withdrawn_before
        again
        withdrawn_after_d
        opt_out_after_d
        read_code
        """,
        events=f"""
        patient_id        | event_date  | coding_system | code        | # note
        opted_out         | 2015-01-01  | snomedct      | {OPT_OUT}   |
        withdrawn_later   | 2015-01-01  | snomedct      | {OPT_OUT}   |
        withdrawn_later   | 2015-01-02  | snomedct      | {WITHDRAWN} | the next day: lifted
        same_day          | 2015-01-01  | snomedct      | {OPT_OUT}   |
        same_day          | 2015-01-01  | snomedct      | {WITHDRAWN} | same day: still opted out
        withdrawn_before  | 2015-01-01  | snomedct      | {WITHDRAWN} |
        withdrawn_before  | 2016-01-01  | snomedct      | {OPT_OUT}   | opted out after withdrawing
        again             | 2015-01-01  | snomedct      | {OPT_OUT}   |
        again             | 2016-01-01  | snomedct      | {WITHDRAWN} |
        again             | 2017-01-01  | snomedct      | {OPT_OUT}   | opted out again
        withdrawn_after_d | 2015-01-01  | snomedct      | {OPT_OUT}   |
        withdrawn_after_d | {days(-1)}  | snomedct      | {WITHDRAWN} | after D: ignored
        opt_out_after_d   | {days(-1)}  | snomedct      | {OPT_OUT}   | after D: ignored
        read_code         | 2015-01-01  | readv2        | 9Nu0.       |
        """,
    )
    assert invited(con) == {"withdrawn_later", "opt_out_after_d"}
    assert stopped(con)["same_day"] == "opt_out"
