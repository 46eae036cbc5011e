"""Warnings before letters go out: stale extract, index date before the data, unreviewed codelists."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from pipeline import db
from pipeline.report.warnings import STALE_AFTER_DAYS, find_warnings

EXTRACT = dt.date(2019, 6, 1)


def codelist(name, reviewer):
    return types.SimpleNamespace(
        name=name, version="1", governance=types.SimpleNamespace(reviewer=reviewer)
    )


REVIEWED = [codelist("dementia", "Dr A Reviewer")]


@pytest.fixture
def con():
    c = db.connect()
    db.script(c, "load/tables")
    for code, extract in (("A81001", EXTRACT), ("B82002", EXTRACT - dt.timedelta(days=30))):
        c.execute(
            "INSERT INTO practices VALUES (?, ?, 'EMIS Web', ?, [], '/x')", [code, code, extract]
        )
    c.execute(
        "INSERT INTO events VALUES ('A81001', 'p1', DATE '2012-03-04', 'snomedct', '1', NULL)"
    )
    c.execute(
        "INSERT INTO medications (practice_code, patient_id, issue_date, coding_system, code) "
        "VALUES ('A81001', 'p1', DATE '2011-01-10', 'dmd', '2'), ('B82002', 'p2', DATE '2011-01-12', 'dmd', '2')"
    )
    db.script(c, "load/record_dates")  # as the loader does once the records are in
    return c


def warnings(con, *, letter_date, index_date=None, codelists=REVIEWED):
    return find_warnings(con, codelists=codelists, letter_date=letter_date, index_date=index_date)


@pytest.mark.parametrize(
    ("letter_date", "stale"),
    [
        (
            EXTRACT + dt.timedelta(days=STALE_AFTER_DAYS - 30),
            False,
        ),  # B82002 is exactly 90 days old
        (EXTRACT + dt.timedelta(days=STALE_AFTER_DAYS - 29), True),  # and now one day more
        (dt.date(2021, 2, 1), True),
    ],
)
def test_stale_extract_is_warned_once_naming_the_oldest_practice(con, letter_date, stale):
    found = [w for w in warnings(con, letter_date=letter_date) if w.startswith("stale extract")]
    assert bool(found) is stale
    if letter_date == dt.date(2021, 2, 1):
        assert found == [
            "stale extract: letters dated 2021-02-01 are 20 months after practice B82002's extract "
            "date 2019-05-02 (and 1 more practices); people may have died or moved since: take a "
            "fresh extract before sending"
        ]


def test_index_date_before_a_practices_first_record(con):
    assert warnings(con, letter_date=EXTRACT, index_date=dt.date(2011, 1, 12)) == []
    found = warnings(con, letter_date=EXTRACT, index_date=dt.date(2011, 1, 11))
    assert found == [
        "index date before the data: practice B82002's index date 2011-01-11 is before its first "
        "record (2011-01-12), so the rules' look-back windows see nothing; use a later --index-date"
    ]
    earlier = warnings(con, letter_date=EXTRACT, index_date=dt.date(2011, 1, 9))
    assert [w.split("'")[0] for w in earlier] == ["index date before the data: practice A81001"] + [
        "index date before the data: practice B82002"
    ]


def test_unreviewed_codelists_are_named(con):
    lists = [
        *REVIEWED,
        codelist("pain_medications", None),
        codelist("palliative_care", "not reviewed"),
    ]
    assert warnings(con, letter_date=EXTRACT, codelists=lists) == [
        "unreviewed codelists: pain_medications v1, palliative_care v1 have no reviewer; have a "
        "clinician review them (`cohort codelists show NAME`) before letters go out"
    ]
    assert warnings(con, letter_date=EXTRACT) == []
