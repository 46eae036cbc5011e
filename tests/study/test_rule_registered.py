"""Registered on D: registration_date <= D and (deregistration_date blank or > D)."""

from .world import build, days, invited, stopped


def test_registration_edges():
    con = build(
        patients=f"""
        patient_id | registration_date | deregistration_date | # note
        long       | 2000-01-01        |                     | registered for years
        day_before | {days(1)}         |                     | registered the day before D
        on_d       | {days(0)}         |                     | registered on D itself
        day_after  | {days(-1)}        |                     | registers the day after D
        left_on_d  | 2000-01-01        | {days(0)}           | deregistered on D: no longer registered
        left_after | 2000-01-01        | {days(-1)}          | deregistered after D: still registered on D
        left_before| 2000-01-01        | {days(1)}           | deregistered the day before D
        """
    )
    assert invited(con) == {"long", "day_before", "on_d", "left_after"}


def test_not_registered_is_the_first_rule():
    con = build(
        patients=f"""
        patient_id | registration_date | date_of_birth | date_of_death
        p1         | {days(-1)}        | 2015-01-01    | {days(5)}
        """
    )
    assert stopped(con) == {"p1": "not_registered"}
