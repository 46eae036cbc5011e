"""The yield report as a person reads it: 100 columns, rates, codelists, suppression, CSV/HTML."""

from __future__ import annotations

import csv
import io

from pipeline.audit.yields import COUNTS, Exclusion, YieldTable
from pipeline.report.yield_render import to_csv, to_html, to_text, write_report


def row(dimension, group, **counts):
    return {"dimension": dimension, "group": group, **dict.fromkeys(COUNTS, 0), **counts}


ROWS = [
    row("all", "all invitations", invited=1017, recorded=55, replied=30, eligible=13, recruited=9,
        ineligible_in_work=12, complaints=4),
    row("practice", "J82001", invited=512, recorded=30, replied=17, eligible=8, ineligible_in_work=6),
    row("practice", "J82002", invited=505, recorded=25, replied=13, eligible=5, ineligible_in_work=6),
    row("route", "C2 chronic_pain_diagnosis v1 (a long name to test the wrapping)", invited=700,
        recorded=40, replied=21, eligible=10),
]  # fmt: skip
SAME = ("chronic_pain_diagnosis v1", "dementia v1", "employment_status v1")


def table(**kw) -> YieldTable:
    kw.setdefault("rows", ROWS)
    return YieldTable(notes=[], runs=2, same_codelists=SAME, **kw)


def test_text_fits_100_columns_and_keeps_the_key_columns():
    text = to_text(table(), exact=False)
    assert max(len(line) for line in text.splitlines()) <= 100
    head = [line.split() for line in text.splitlines()[4:6]]
    assert head == [
        ["letters", "outcome", "in", "com-", "replies", "eligible"],
        [
            "sent",
            "recorded",
            "replied",
            "eligible",
            "recruited",
            "work",
            "plaints",
            "/letter",
            "/reply",
        ],
    ]


def test_rates_are_per_letter_sent_and_per_outcome_recorded():
    shown = {r["group"]: r for r in table().shown(exact=False)}["all invitations"]
    # 30 replies to 1,015 letters (rounded) is 3.0%; of the 55 outcomes recorded it is 54.5%
    assert shown["reply_rate"] == "3.0%" and shown["reply_of_recorded"] == "54.5%"
    assert shown["eligible_share"] == "50.0%"  # 15 of 30, from the rounded counts (13 of 30 exact)
    exact = {r["group"]: r for r in table().shown(exact=True)}["all invitations"]
    assert exact["eligible_share"] == "43.3%" and exact["in_work_share"] == "40.0%"
    assert shown["recorded"] == "55" and shown["invited"] == "1,015"  # rounded to 5


def test_small_counts_are_suppressed_and_practice_rows_do_not_subtract_from_the_total():
    shown = {r["group"]: r for r in table().shown(exact=False)}
    assert shown["all invitations"]["complaints"] == "<8"
    total = int(shown["all invitations"]["invited"].replace(",", ""))
    parts = sum(int(shown[g]["invited"].replace(",", "")) for g in ("J82001", "J82002"))
    assert (total, parts) == (1015, 1015)  # 1,017 = 512 + 505, but neither side gives itself away
    exact = {r["group"]: r for r in table().shown(exact=True)}
    assert (
        exact["all invitations"]["complaints"] == "4"
        and exact["all invitations"]["invited"] == "1,017"
    )


def test_by_codelist_is_one_line_when_every_run_used_the_same_versions():
    text = to_text(table(), exact=False)
    assert "By codelist: all 2 runs used the same codelist versions" in text
    assert "chronic_pain_diagnosis v1, dementia v1" in text.replace("\n", " ")


def test_by_codelist_rows_when_versions_differ_and_exclusions_say_who_they_removed():
    rows = [*ROWS, row("codelist", "chronic_pain_diagnosis v1", invited=400),
            row("codelist", "chronic_pain_diagnosis v2", invited=617)]  # fmt: skip
    t = YieldTable(
        rows=rows, notes=[], runs=2, exclusions=[Exclusion("dementia", ("dementia v1",), 211)]
    )
    text = to_text(t, exact=False)
    assert "By codelist (versions that differ between runs):" in text
    assert "chronic_pain_diagnosis v2" in text and "same codelist versions" not in text
    assert "Exclusion list dementia v1: removed 210 people." in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_csv_and_html_carry_every_column(tmp_path):
    shown = table().shown(exact=False)
    header = next(csv.reader(io.StringIO(to_csv(shown))))
    assert {"declined", "undeliverable", "ineligible_moved", "in_work_share"} <= set(header)
    page = to_html(table(), exact=False)
    assert "<th>undelivered</th>" in page and "<th>in work per reply</th>" in page
    out = tmp_path / "yield.html"
    write_report(table(), out, exact=False)
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_removed_at_screening_has_its_place():
    text = to_text(
        table(screened_out=[("in work (GP)", 23), ("recently bereaved", 3)]), exact=False
    )
    assert "Removed at screening:\n  in work (GP): 25\n  recently bereaved: <8" in text
