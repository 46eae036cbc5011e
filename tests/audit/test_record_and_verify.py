"""The run record says what a run was given and left; `audit verify` notices any change."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline import __version__
from pipeline.audit.entries import log_rollback
from pipeline.cli import main
from pipeline.fsutil import sha256_file, sha256_text

from .conftest import PATIENTS


def _record(ws) -> dict:
    return json.loads((ws.runs_dir / "run1" / "run_record.json").read_text())


def _verify(ws):
    return CliRunner().invoke(main, ["audit", "verify", "--workspace", str(ws.root)])


def test_the_record_names_the_run_its_inputs_and_its_outputs(ws):
    rec, folder = _record(ws), ws.runs_dir / "run1"
    assert rec["run_id"] == "run1" and rec["status"] == "complete"
    assert rec["tool"]["version"] == __version__
    assert rec["tool"]["git_commit"] is None or len(rec["tool"]["git_commit"]) == 40
    assert rec["operator"] and rec["started_at"] <= rec["finished_at"]
    assert rec["study"]["name"] == "instep" and rec["study"]["sha256"] == "f" * 64
    assert rec["index_dates"] == {"J82001": "2019-06-01"}
    assert [(c["role"], c["name"], c["version"]) for c in rec["codelists"]][0] == (
        "chronic_pain_conditions",
        "chronic_pain_conditions",
        "1",
    )
    assert rec["counts"] == {"invited": 3, "population": 6, "quarantine": 1}
    assert rec["attrition"][0] == {
        "practice_code": "ALL", "row_no": 1, "step_no": 0, "step": "extract",
        "label": "Patients in the extracts", "remaining": 6, "removed": 0,
    }  # fmt: skip
    sql = (folder / "compiled_study.sql").read_text()
    assert (
        rec["compiled_sql"]["sha256"] == sha256_text(sql)
        and "CREATE OR REPLACE TABLE population" in sql
    )
    assert rec["run_database"] == {
        "path": "run.duckdb",
        "sha256": sha256_file(folder / "run.duckdb"),
        "bytes": (folder / "run.duckdb").stat().st_size,
    }
    listed = {o["path"]: o["sha256"] for o in rec["outputs"]}
    assert {
        "mailmerge.csv",
        "quarantine.csv",
        "compiled_study.sql",
        "practices/J82001/letters.html",
    } <= set(listed)
    assert "run.duckdb" not in listed and "run_record.json" not in listed
    assert all(sha256_file(folder / p) == h for p, h in listed.items())


def test_the_record_holds_no_patient_data(ws):
    text = (ws.runs_dir / "run1" / "run_record.json").read_text()
    for p in PATIENTS:
        for value in (p["forename"], p["surname"], p["nhs_number"], p["date_of_birth"].isoformat()):
            assert value is None or value not in text
    assert "1 High Street" not in text


def test_an_untouched_workspace_verifies(ws):
    result = _verify(ws)
    assert result.exit_code == 0, result.output
    assert "audit.log verified: 1 entries, 1 runs" in result.output


def test_a_changed_output_file_is_named(ws):
    merge = ws.runs_dir / "run1" / "practices" / "J82001" / "mailmerge.csv"
    merge.write_text(merge.read_text().replace("High Street", "Low Street"))
    result = _verify(ws)
    assert result.exit_code == 8
    assert f"FAIL {merge}: sha256 differs from run_record.json of run run1" in result.output


def test_a_changed_run_database_is_named(ws):
    with (ws.runs_dir / "run1" / "run.duckdb").open("ab") as fh:
        fh.write(b"\0")
    result = _verify(ws)
    assert result.exit_code == 8 and "run1/run.duckdb: sha256 differs" in result.output


def test_a_changed_run_record_is_named_with_its_log_entry(ws):
    path = ws.runs_dir / "run1" / "run_record.json"
    path.write_text(path.read_text().replace('"invited": 3', '"invited": 2'))
    result = _verify(ws)
    assert result.exit_code == 8
    assert f"{path}: sha256 differs from audit.log entry seq 1" in result.output


def test_a_deleted_output_is_named(ws):
    (ws.runs_dir / "run1" / "quarantine.csv").unlink()
    result = _verify(ws)
    assert (
        result.exit_code == 8
        and "quarantine.csv: missing (run_record.json of run run1 lists it)" in result.output
    )


def test_a_run_cut_from_the_log_is_noticed(ws):
    ws.audit_path.write_text("")
    result = _verify(ws)
    assert result.exit_code == 8
    assert (
        "run run1 (published) is in the workspace state but audit.log has no run entry"
        in result.output
    )


def test_files_removed_by_a_rollback_are_not_a_failure(ws):
    (ws.runs_dir / "run1" / "mailmerge.csv").unlink()
    with ws.state() as con:  # as `cohort rollback` marks the ledger
        con.execute("UPDATE ledger SET status = 'rolled_back' WHERE run_id = 'run1'")
        n = con.execute("SELECT count(*) FROM ledger WHERE run_id = 'run1'").fetchone()[0]
    log_rollback(
        ws, run_id="run1", reason="wrong index date", invitations=n, files_removed=["mailmerge.csv"]
    )
    result = _verify(ws)
    assert result.exit_code == 0, result.output
    assert "mailmerge.csv: removed when the run was rolled back" in result.output


def test_validation_is_recorded_as_counts():
    from pipeline.audit.record import validation_entry
    from pipeline.validation.results import Outcome, ValidationSummary

    failed = Outcome(suite="patients", table="patients", number=3, description="postcode in UK format",
                     type="expect_column_values_to_match_regex", column="postcode", severity="warning",
                     success=False, unexpected_count=7, element_count=400)  # fmt: skip
    entry = validation_entry(
        ValidationSummary(suites=("patients",), outcomes=(failed,), seconds=1.5)
    )
    assert entry["passed"] is True and entry["seconds"] == 1.5
    assert entry["suites"][0] | {} == {
        **entry["suites"][0],
        "name": "patients",
        "checks": 1,
        "warnings": 1,
    }
    assert entry["results"][0]["unexpected_count"] == 7


def test_a_file_written_after_the_record_is_vouched_for_by_the_log(ws):
    report = ws.runs_dir / "run1" / "report.html"
    entry = json.loads(ws.audit_path.read_text().splitlines()[0])
    assert entry["details"]["outputs_after_record"] == {"report.html": sha256_file(report)}
    report.write_text("<p>changed</p>")
    result = _verify(ws)
    assert (
        result.exit_code == 8
        and f"FAIL {report}: sha256 differs from audit.log entry seq 1" in result.output
    )
