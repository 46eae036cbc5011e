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


# patient -> the study's score (population.score)
SCORES = {"s9": 9, "s7": 7, "s5a": 5, "s5b": 5, "s5c": 5, "s1": 1, "s0": 0}


def ranked_world() -> RunDB:
    r = RunDB()
    for pid, score in reversed(SCORES.items()):
        r.add("A81001", pid, score=score)
    r.add("A81001", "not", invited=False, stopped_by="in_work", score=99)
    return r


def test_without_a_limit_everyone_invited_is_invited_and_nobody_deferred():
    con, count = choose(ranked_world())
    assert count == 7
    assert set(invited(con)) == set(SCORES)
    assert deferred(con) == []


@pytest.mark.parametrize(
    ("limit", "chosen"),
    [
        (1, {"s9"}),
        (2, {"s9", "s7"}),
        (5, {"s9", "s7", "s5a", "s5b", "s5c"}),
        (6, {"s9", "s7", "s5a", "s5b", "s5c", "s1"}),
        (7, set(SCORES)),
        (8, set(SCORES)),
    ],
)
def test_capacity_keeps_the_highest_scores(limit, chosen):
    con, count = choose(ranked_world(), limit=limit)
    got = invited(con)
    assert count == len(chosen)
    assert set(got) == chosen
    assert [SCORES[p] for p in got] == sorted((SCORES[p] for p in got), reverse=True)


def test_a_limit_inside_equal_scores_takes_them_in_the_order_of_the_recorded_hash():
    import hashlib

    con, _ = choose(ranked_world(), limit=3, seed=11)
    got = invited(con)
    key = {
        p: hashlib.sha256(f"instep|11|A81001|{p}".encode()).hexdigest()
        for p in ("s5a", "s5b", "s5c")
    }
    assert got[:2] == ["s9", "s7"] and got[2] == min(key, key=key.get)
    stored = dict(con.execute("SELECT patient_id, tie_break FROM deferred").fetchall())
    assert stored == {p: k for p, k in key.items() if p != got[2]} | {
        "s1": hashlib.sha256(b"instep|11|A81001|s1").hexdigest(),
        "s0": hashlib.sha256(b"instep|11|A81001|s0").hexdigest(),
    }


def test_the_hash_includes_the_study_name():
    a, _ = choose(equal_world(), limit=10, seed=3)
    con = equal_world().build()
    select_invitations(
        con, run_id="R1", study_name="other", existing_refs=set(), max_per_practice=10, seed=3
    )
    assert invited(a) != invited(con)


def test_a_higher_score_beats_any_hash():
    r = RunDB()
    for i in range(30):
        r.add("A81001", f"p{i:02d}")
    r.add("A81001", "zz_scored", score=1)
    for seed in range(5):
        con, _ = choose(r, limit=1, seed=seed)
        assert invited(con) == ["zz_scored"]


def test_score_rank_and_capacity_are_stored_with_each_invitation_and_deferral():
    con, _ = choose(ranked_world(), limit=5)
    rows = con.execute(
        "SELECT patient_id, score, capacity_rank, practice_candidates, capacity FROM invitations "
        "UNION ALL SELECT patient_id, score, capacity_rank, practice_candidates, capacity FROM deferred "
        "ORDER BY capacity_rank"
    ).fetchall()
    assert [r[2] for r in rows] == list(range(1, 8))
    assert {r[0]: r[1] for r in rows} == SCORES
    assert {(r[3], r[4]) for r in rows} == {(7, 5)}


def test_held_back_patients_are_deferred_in_queue_order_with_the_reason():
    con, _ = choose(ranked_world(), limit=5)
    assert deferred(con) == ["s1", "s0"]
    rows = con.execute(
        "SELECT run_id, study, reason FROM deferred ORDER BY capacity_rank"
    ).fetchall()
    assert rows == [
        (
            "R1",
            "instep",
            "ranked 6 of 7 at the practice, over its capacity of 5 invitations per run",
        ),
        (
            "R1",
            "instep",
            "ranked 7 of 7 at the practice, over its capacity of 5 invitations per run",
        ),
    ]


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
