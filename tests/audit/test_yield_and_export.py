"""The yield report counts what the letters yielded; the export hides who anyone is."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from pipeline.audit import outcomes
from pipeline.audit.log import read_entries
from pipeline.audit.verify import verify_workspace
from pipeline.audit.yields import yield_table
from pipeline.cli import main
from pipeline.fsutil import sha256_file

from . import rundb as R
from .conftest import PATIENTS


def with_outcomes(ws):
    said = [("p1", "replied", None), ("p1", "eligible", None), ("p1", "recruited", None),
            ("p5", "complaint", "in_work"), ("p6", "ineligible", "retired")]  # fmt: skip
    items = [outcomes.Outcome(R.invite_ref(ws, p), outcome, reason) for p, outcome, reason in said]
    outcomes.record_many(ws, items, source="test")
    return ws


def rows(table, dimension: str) -> dict:
    return {r["group"]: r for r in table.rows if r["dimension"] == dimension}


def test_yield_counts_per_practice_and_route(ws):
    table = yield_table(with_outcomes(ws))
    (everyone,) = rows(table, "all").values()
    assert {k: everyone[k] for k in ("invited", "recorded", "replied", "eligible", "recruited",
                                     "ineligible_retired", "complaints", "ineligible_in_work")} == {
        "invited": 3, "recorded": 3, "replied": 3, "eligible": 1, "recruited": 1,
        "ineligible_retired": 1, "complaints": 1,
        "ineligible_in_work": 1,  # the complaint from someone in work counts as in work
    }  # fmt: skip
    assert set(rows(table, "practice")) == {"J82001"}
    routes = rows(table, "route")
    assert (
        routes["C1 chronic_pain_conditions v1"]["invited"],
        routes["C1 chronic_pain_conditions v1"]["eligible"],
    ) == (1, 1)
    assert (
        routes["C2 chronic_pain_diagnosis v1"]["invited"],
        routes["C2 chronic_pain_diagnosis v1"]["complaints"],
    ) == (2, 1)
    # one run: no codelist differs between runs, so no codelist rows, and one line saying so
    assert rows(table, "codelist") == {} and "employment_status v2" in table.same_codelists
    removed = {e.role: e.removed for e in table.exclusions}
    assert set(removed) >= {"dementia", "palliative_care", "research_opt_out"}


def test_small_counts_are_suppressed_unless_exact(ws, tmp_path):
    with_outcomes(ws)
    out = tmp_path / "yield.csv"
    result = CliRunner().invoke(
        main, ["report", "yield", "--workspace", str(ws.root), "--out", str(out)]
    )
    assert result.exit_code == 0 and "counts of 1 to 7 are shown as <8" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 100
    first = next(csv.DictReader(out.open()))
    assert (first["group"], first["invited"], first["recruited"], first["ineligible_moved"], first["eligible_share"]) == (
        "all invitations", "<8", "<8", "0", "",
    )  # fmt: skip
    exact = (
        CliRunner().invoke(main, ["report", "yield", "--workspace", str(ws.root), "--exact"]).output
    )
    assert "exact counts: internal use only" in exact and "33.3%" in exact


def test_rolled_back_letters_are_not_counted_and_the_rollback_verifies(ws):
    result = CliRunner().invoke(
        main, ["rollback", "run1", "--workspace", str(ws.root), "--reason", "wrong date"]
    )
    assert result.exit_code == 0, result.output
    assert yield_table(ws).rows == []
    assert read_entries(ws.audit_path)[-1]["kind"] == "rollback"
    assert verify_workspace(ws).ok


def test_the_export_has_pseudonyms_not_identities(ws, tmp_path):
    with_outcomes(ws)
    out = tmp_path / "export"
    result = CliRunner().invoke(
        main, ["audit", "export", "--workspace", str(ws.root), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == [
        "evidence.csv",
        "invitations.csv",
        "manifest.json",
        "outcomes.csv",
        "run_records/run1.json",
        "yield.csv",
    ]
    text = "\n".join((out / n).read_text() for n in names)
    refs = [R.invite_ref(ws, p) for p in ("p1", "p5", "p6")]
    for p in PATIENTS:
        for value in (
            p["patient_id"],
            p["surname"],
            p["nhs_number"],
            p["date_of_birth"].isoformat(),
        ):
            assert value is None or f",{value}," not in text and f"{value}\n" not in text
    assert not any(ref in text for ref in refs) and "High Street" not in text and "rang" not in text
    invitations = list(csv.DictReader((out / "invitations.csv").open()))
    assert {r["c1"] for r in invitations} == {"true", "false"} and all(
        r["person"].startswith("p_") for r in invitations
    )
    evidence = list(csv.DictReader((out / "evidence.csv").open()))
    assert {"c1", "c2", "employment"} <= {e["rule"] for e in evidence}
    assert {e["days_before_index"] for e in evidence if e["rule"] == "c1"} == {"365", "137"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"] == {"invitations": 3, "evidence": len(evidence), "outcomes": 5}
    assert all(sha256_file(out / n) == h for n, h in manifest["files"].items())
    entry = read_entries(ws.audit_path)[-1]
    assert (
        entry["kind"] == "export"
        and entry["details"]["key_fingerprint"] == manifest["key_fingerprint"]
    )
    key = ws.root / "secret.key"
    assert key.stat().st_mode & 0o077 == 0 and key.read_text().strip() not in text
    assert verify_workspace(ws).ok


def test_pseudonyms_are_stable_across_exports_and_keyed(ws, tmp_path):
    with_outcomes(ws)
    for name in ("a", "b"):
        CliRunner().invoke(
            main, ["audit", "export", "--workspace", str(ws.root), "--out", str(tmp_path / name)]
        )
    a, b = ((tmp_path / n / "outcomes.csv").read_text() for n in ("a", "b"))
    assert a == b
    (ws.root / "secret.key").write_text("00" * 32 + "\n")
    CliRunner().invoke(
        main, ["audit", "export", "--workspace", str(ws.root), "--out", str(tmp_path / "c")]
    )
    assert (tmp_path / "c" / "outcomes.csv").read_text() != a


def test_a_key_others_can_read_is_refused(ws, tmp_path):
    key = ws.root / "secret.key"
    key.write_text("11" * 32 + "\n")
    key.chmod(0o644)
    result = CliRunner().invoke(
        main, ["audit", "export", "--workspace", str(ws.root), "--out", str(tmp_path / "x")]
    )
    assert (
        result.exit_code == 7
        and f"{key}: readable by others (mode 644); run `chmod 600 {key}`" in result.output
    )


def test_demo_outcomes_follow_the_synthetic_truth(ws, tmp_path):
    from pipeline.audit.demo import record_demo_outcomes

    truth = tmp_path / "truth.csv"
    truth.write_text(
        "practice_code,patient_id,in_chronic_pain,in_work,retired,eligible,wants_work\n"
        "J82001,p1,true,false,false,true,true\n"
        "J82001,p5,true,true,false,false,\n"
        "J82001,p6,false,false,true,false,false\n"
    )
    result = record_demo_outcomes(ws, truth, seed=7)
    assert result.recorded >= 3
    with ws.state(read_only=True) as con:
        said = con.execute(
            "SELECT l.patient_id, o.outcome, o.reason FROM outcomes o JOIN ledger l USING (invite_ref) ORDER BY ALL"
        ).fetchall()
    by_patient = {}
    for pid, outcome, reason in said:
        by_patient.setdefault(pid, []).append((outcome, reason))
    allowed = {
        "p1": [[("eligible", None)], [("eligible", None), ("recruited", None)]],
        "p5": [[("complaint", "in_work")], [("ineligible", "in_work")]],
        "p6": [[("ineligible", "retired")]],
    }
    for pid, outcomes_said in by_patient.items():
        assert outcomes_said in allowed[pid] or outcomes_said in (
            [("no_reply", None)],
            [("undeliverable", None)],
            [("declined", None)],
        )
    assert sorted(by_patient) == ["p1", "p5", "p6"]  # every letter has an outcome
    assert yield_table(ws).rows[0]["invited"] == 3


def test_a_demo_reply_says_what_the_truth_says():
    from pipeline.audit.demo import answer
    from pipeline.synth.replies import draw

    def ref_where(test):
        return next(f"R-{i}" for i in range(5000) if test(f"R-{i}"))

    delivered = lambda r: draw(1, r, "undeliverable") >= 0.02  # noqa: E731
    enquires = ref_where(lambda r: delivered(r) and draw(1, r, "enquire") < 0.01)
    said = lambda ref, **truth: [(o.outcome, o.reason) for o in answer(truth, ref, seed=1)]  # noqa: E731
    assert said(enquires, in_work="true", in_chronic_pain="true") == [("ineligible", "in_work")]
    assert said(enquires, retired="true") == [("ineligible", "retired")]
    assert said(enquires, in_chronic_pain="false") == [("ineligible", "no_chronic_pain")]
    assert said(enquires, in_chronic_pain="true", eligible="true")[0] == ("eligible", None)
    silent = ref_where(
        lambda r: (
            delivered(r)
            and draw(1, r, "enquire") > 0.7
            and draw(1, r, "complaint") > 0.1
            and draw(1, r, "decline") > 0.1
        )
    )
    assert said(silent, in_work="true") == [("no_reply", None)]
    assert said(silent, in_chronic_pain="true", eligible="true") == [("no_reply", None)]
