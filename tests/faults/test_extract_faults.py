"""Extract files that used to end in a traceback or say too much: a header field over
128 KB, a header name that looks like an NHS number, a bare carriage return in a field."""

from __future__ import annotations

import logging

import pytest

from pipeline import db
from pipeline.errors import ExtractError
from pipeline.extract import load_extracts

from .world import write_extract


def _load(tmp_path, change):
    extracts = write_extract(tmp_path)
    change(extracts / "A81001")
    con = db.connect(tmp_path / "run.duckdb")
    try:
        return load_extracts(con, [extracts])
    finally:
        con.close()


def _edit(path, fn):
    path.write_text(fn(path.read_text()))


def test_a_header_field_over_128_kb_is_one_line_naming_the_file(tmp_path):
    def big(folder):
        _edit(
            folder / "events.csv",
            lambda t: t.replace("value\n", "value,x" + "y" * 200_000 + "\n", 1),
        )

    with pytest.raises(ExtractError) as caught:
        _load(tmp_path, big)
    message = str(caught.value)
    assert message.endswith("events.csv: line 1 (the header) has a field over 128 KB, or is not a "
                            "CSV header; the first line must name the columns: export the file again")  # fmt: skip
    assert "\n" not in message and "yyyy" not in message


def test_a_header_name_like_an_nhs_number_is_never_printed(tmp_path, caplog):
    def nhs(folder):
        _edit(
            folder / "events.csv",
            lambda t: t.replace("value\n", "value,943 476 5919\n", 1).replace(",\n", ",,1\n"),
        )

    with caplog.at_level(logging.WARNING):
        _load(tmp_path, nhs)
    text = caplog.text
    assert "ignored unknown column(s) (a column whose name looks like data: not shown)" in text
    assert "943" not in text and "5919" not in text


@pytest.mark.parametrize(("row", "line"), [(1, 2), (2, 3)])
def test_a_bare_carriage_return_is_reported_on_its_own_line(tmp_path, row, line):
    def bare_cr(folder):
        path = folder / "patients.csv"
        lines = path.read_text().split("\n")
        lines[row] = lines[row].replace(" Mill Lane", " Mill\rLane")
        path.write_text("\n".join(lines))

    with pytest.raises(ExtractError) as caught:
        _load(tmp_path, bare_cr)
    assert str(caught.value).endswith(
        f"patients.csv: line {line} has a carriage return (CR) on its own inside a field; quote "
        "that field or remove the CR, then export the file again"
    )
