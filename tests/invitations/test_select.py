"""Who is invited and who is deferred when a practice's capacity is limited."""

from __future__ import annotations

import pytest

from pipeline.invitations import select_invitations
from pipeline.invitations.refs import is_valid_ref

from .builders import RunDB


def choose(r: RunDB, *, limit=None, seed=0, existing=()):
    con = r.build()
    count = select_invitations(
        con,
        run_id="R1",
        study_name="instep",
        existing_refs=set(existing),
        max_per_practice=limit,
        seed=seed,
    )
    return con, count


def invited(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT patient_id FROM invitations ORDER BY practice_code, capacity_rank"
        ).fetchall()
    ]


def deferred(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT patient_id FROM deferred ORDER BY practice_code, capacity_rank"
        ).fetchall()
    ]


# patient | c1 | c2 | c3   (routes held)
ROUTES = {
    "all3": (True, True, True),
    "c1c2": (True, True, False),
    "c2c3": (False, True, True),
    "c1c3": (True, False, True),
    "c2": (False, True, False),
    "c1": (True, False, False),
    "c3": (False, False, True),
}


def ranked_world() -> RunDB:
    r = RunDB()
    for pid, (c1, c2, c3) in reversed(ROUTES.items()):
        r.add("A81001", pid, c1=c1, c2=c2, c3=c3)
    r.add("A81001", "not", invited=False, stopped_by="in_work")
    return r


def test_without_a_limit_everyone_invited_is_invited_and_nobody_deferred():
    con, count = choose(ranked_world())
    assert count == 7
    assert set(invited(con)) == set(ROUTES)
    assert deferred(con) == []


# Rank tiers: more routes first; among equal counts, C2 held beats C1 beats C3.
TIER = {"all3": 0, "c1c2": 1, "c2c3": 1, "c1c3": 2, "c2": 3, "c1": 4, "c3": 5}


@pytest.mark.parametrize(
    ("limit", "chosen"),
    [
        (1, {"all3"}),
        (4, {"all3", "c1c2", "c2c3", "c1c3"}),
        (5, {"all3", "c1c2", "c2c3", "c1c3", "c2"}),
        (7, set(ROUTES)),
    ],
)
def test_capacity_keeps_the_strongest_evidence(limit, chosen):
    con, count = choose(ranked_world(), limit=limit)
    got = invited(con)
    assert count == limit
    assert set(got) == chosen
    assert [TIER[p] for p in got] == sorted(TIER[p] for p in got)


def test_a_limit_inside_a_tier_takes_one_of_the_tied_by_the_seeded_shuffle():
    con, _ = choose(ranked_world(), limit=2)
    got = invited(con)
    assert got[0] == "all3" and got[1] in {"c1c2", "c2c3"}


def test_strongest_route_order_is_c2_then_c1_then_c3():
    r = RunDB()
    for pid in ("c3", "c1", "c2"):
        r.add("A81001", pid, c1=pid == "c1", c2=pid == "c2", c3=pid == "c3")
    con, _ = choose(r, limit=3)
    assert invited(con) == ["c2", "c1", "c3"]


def test_held_back_patients_are_deferred_in_queue_order_with_the_reason():
    con, _ = choose(ranked_world(), limit=5)
    assert deferred(con) == ["c1", "c3"]
    rows = con.execute("SELECT DISTINCT run_id, study, reason FROM deferred").fetchall()
    assert rows == [("R1", "instep", "over the practice limit of 5 invitations per run")]
    ranks = [
        r[0]
        for r in con.execute("SELECT capacity_rank FROM deferred ORDER BY capacity_rank").fetchall()
    ]
    assert ranks == [6, 7]


def test_the_limit_applies_to_each_practice_separately():
    r = RunDB()
    for i in range(4):
        r.add("A81001", f"a{i}")
        r.add("B82002", f"b{i}")
    con, count = choose(r, limit=3)
    assert count == 6
    per = con.execute(
        "SELECT practice_code, count(*) FROM invitations GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert per == [("A81001", 3), ("B82002", 3)]
    assert len(deferred(con)) == 2


def equal_world() -> RunDB:
    r = RunDB()
    for i in range(40):
        r.add("A81001", f"p{i:02d}")
    return r


def test_ties_are_broken_the_same_way_for_the_same_seed():
    first, _ = choose(equal_world(), limit=10, seed=7)
    again, _ = choose(equal_world(), limit=10, seed=7)
    other, _ = choose(equal_world(), limit=10, seed=8)
    assert invited(first) == invited(again)
    assert set(invited(first)) != set(invited(other))


def test_ties_do_not_follow_patient_id_order():
    con, _ = choose(equal_world(), limit=10, seed=0)
    assert invited(con) != sorted(invited(con))


def test_invitations_carry_contact_details_and_a_valid_unique_reference():
    r = RunDB()
    r.add("A81001", "p1", forename="Siân", surname="O'Neill", title="Mrs", nhs_number="9434765919")
    r.add("A81001", "p2")
    con, _ = choose(r, existing={"K7M-4QX-9"})
    row = con.execute(
        "SELECT invite_ref, nhs_number, title, forename, surname, address_line_1, postcode, date_of_birth "
        "FROM invitations WHERE patient_id = 'p1'"
    ).fetchone()
    assert row[1:7] == ("9434765919", "Mrs", "Siân", "O'Neill", "2 Mill Lane", "LE65 1AB")
    refs = [r[0] for r in con.execute("SELECT invite_ref FROM invitations").fetchall()]
    assert len(set(refs)) == 2 and all(is_valid_ref(ref) for ref in refs)


def test_nobody_invited_gives_empty_tables():
    r = RunDB()
    r.add("A81001", "p1", invited=False, stopped_by="age")
    con, count = choose(r, limit=2)
    assert count == 0
    assert invited(con) == [] and deferred(con) == []
