"""The run report: self-contained, no patient identifiers, small numbers suppressed,
and a failed run shown as failed with no invitation numbers."""

import html as html_lib
import re

import duckdb
import pytest

from pipeline.report import write_report
from pipeline.report.collect import collect
from pipeline.report.disclosure import small_count
from pipeline.report.flow import diagrams

from .fixtures import PLANTED, make_run_db, make_run_dir

EXTERNAL = [
    re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//", re.I),
    re.compile(r"https?://", re.I),
]


@pytest.fixture(scope="module")
def complete(tmp_path_factory):
    run_dir = make_run_dir(tmp_path_factory.mktemp("complete"), per_practice=600, cap=10)
    return run_dir, write_report(run_dir).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def failed(tmp_path_factory):
    run_dir = make_run_dir(tmp_path_factory.mktemp("failed"), failed=True)
    return run_dir, write_report(run_dir).read_text(encoding="utf-8")


def _text(html: str) -> str:
    """The visible text: tags removed, entities decoded, whitespace folded."""
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_report_is_written_in_the_run_folder(complete):
    run_dir, html = complete
    assert (run_dir / "report.html").is_file()
    assert html.startswith("<!DOCTYPE html>")
    assert "Run complete" in html


@pytest.mark.parametrize("which", ["complete", "failed"])
def test_report_references_nothing_outside_itself(which, request):
    _, html = request.getfixturevalue(which)
    for pattern in EXTERNAL:
        assert not pattern.search(html), f"{pattern.pattern} found in the report"
    assert "<link" not in html and "<script" not in html and "<img" not in html


@pytest.mark.parametrize("which", ["complete", "failed"])
def test_report_holds_no_patient_identifiers(which, request):
    _, html = request.getfixturevalue(which)
    for value in PLANTED.values():
        assert value not in html, f"planted identifier {value!r} leaked into the report"
    assert "P0001" not in html and "J82001-000" not in html  # no patient ids of any kind


def test_counts_of_one_to_seven_are_shown_as_less_than_eight(tmp_path):
    # Exactly 3 patients at J82001 stop at palliative care, and the whole run
    # has 1 record after the extract date: both must read <8.
    run_dir = make_run_dir(
        tmp_path, per_practice=60, practices=[("J82001", "Bitterne Park Surgery", "EMIS")]
    )
    con = duckdb.connect(str(run_dir / "run.duckdb"), read_only=True)
    palliative = con.execute(
        "SELECT removed FROM attrition WHERE practice_code = 'ALL' AND step = 'palliative'"
    ).fetchone()[0]
    con.close()
    assert 1 <= palliative <= 7
    text = _text(write_report(run_dir).read_text(encoding="utf-8"))
    assert re.search(r"Palliative care recorded <8", text)
    assert not re.search(rf"Palliative care recorded {palliative}\b", text)
    # No count of 1-7 appears next to a label anywhere in the flow or tables.
    assert "<8" in text


def test_flow_shows_each_rule_with_counts_from_the_attrition(tmp_path):
    path = make_run_db(tmp_path / "run.duckdb", per_practice=300, cap=None, small_step=None)
    con = duckdb.connect(str(path), read_only=True)
    counts = collect(con)
    expected = {
        s: r
        for s, r in con.execute(
            "SELECT step, remaining FROM attrition WHERE practice_code = 'ALL'"
        ).fetchall()
    }
    con.close()
    wide = diagrams(counts, stopped=False)["wide"]
    main = [b for b in wide.boxes if b.kind in ("main", "final")]
    assert main[0].count == small_count(expected["extract"])  # rounded to 5 (disclosure.py)
    assert main[-1].kind == "final" and main[-1].lines[0] == "Invited"
    assert counts.invited == expected["invited"]
    assert main[-1].count == small_count(counts.invited)
    sides = [b for b in wide.boxes if b.kind == "side"]
    assert len(sides) == 12  # one per stop rule, from not_registered to data_quality
    assert any("Held back" in " ".join(b.lines) for b in sides)


def test_deferred_patients_get_their_own_step_before_invited(complete):
    _, html = complete
    text = _text(html)
    assert "Deferred: over the practice's invitation limit" in text
    assert re.search(r"Invited 30\b", text)  # 3 practices capped at 10
    assert re.search(r"Run complete: 30 invitations", text)


def test_failed_run_shows_the_failure_and_no_invitation_numbers(failed):
    _, html = failed
    text = _text(html)
    assert "This run stopped: validation failed" in text
    assert "No invitations were made" in text
    assert "date_of_birth on or before the extract date" in text
    assert "Run complete" not in text
    assert not re.search(r"Invited \d", text)
    assert ">Invited<" not in html  # no Invited column or tile
    assert "Eligible" not in _text(html.split('id="routes"')[1].split("</section>")[0])


def test_validation_failures_and_warnings_are_highlighted_without_error_text(complete):
    _, html = complete
    assert (
        'class="warn"><span class="tag">Warning</span> <strong>event_date after 1900-01-01' in html
    )
    assert "could not be checked" in html
    assert PLANTED["surname"] not in html


def test_versions_and_hashes_come_from_the_run_record(complete):
    _, html = complete
    assert "b" * 64 in html  # study sha256
    assert "c" * 64 in html  # codelist content hash
    assert "git " + "a" * 40 in html


def test_report_without_run_record_says_so(tmp_path):
    run_dir = make_run_dir(tmp_path, record=False)
    text = _text(write_report(run_dir).read_text(encoding="utf-8"))
    assert "No run_record.json was found" in text
    assert "Run complete" in text


def test_report_of_a_run_stopped_before_the_study(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    make_run_db(run_dir / "run.duckdb", stage="extract")
    from .fixtures import write_validation

    write_validation(run_dir, failed=True)
    text = _text(write_report(run_dir).read_text(encoding="utf-8"))
    assert "This run stopped: validation failed" in text
    assert "stopped before the study's rules were applied" in text
    assert "Bitterne Park Surgery" in text


def test_report_uses_the_open_connection_and_state(tmp_path):
    from types import SimpleNamespace

    from pipeline import db

    run_dir = make_run_dir(tmp_path)
    con = db.connect(run_dir / "run.duckdb")
    state = SimpleNamespace(
        run_id="RUN-XYZ", status="started", out_dir=tmp_path / "final", study=None
    )
    html = write_report(run_dir, con=con, state=state).read_text(encoding="utf-8")
    con.close()
    assert "RUN-XYZ" in html
    assert str((tmp_path / "final").resolve()) in html


def test_counts_of_practices_are_not_suppressed(tmp_path):
    import json

    run_dir = make_run_dir(tmp_path, failed=True)
    path = run_dir / "validation" / "results.json"
    doc = json.loads(path.read_text())
    doc["results"][1].update(unexpected_count=1, unit="practices")
    path.write_text(json.dumps(doc))
    text = _text(write_report(run_dir).read_text(encoding="utf-8"))
    assert (
        "date_of_birth on or before the extract date patients suite · patients.date_of_birth 1 practices"
        in text
    )
