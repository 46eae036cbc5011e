"""Alive on D: date_of_death blank or after D."""

from .world import build, days, invited, stopped


def test_death_edges():
    con = build(
        patients=f"""
        patient_id | date_of_death | # note
        alive      |               |
        died_after | {days(-1)}    | died the day after D: alive on D
        died_on_d  | {days(0)}     | died on D
        died_before| {days(1)}     | died the day before D
        """
    )
    assert invited(con) == {"alive", "died_after"}
    assert stopped(con)["died_on_d"] == "not_alive"
