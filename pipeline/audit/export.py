"""`cohort audit export`: what the research team may see, with no one identifiable.

Writes into a new folder:
- ``invitations.csv``: every letter (live or withdrawn) with what the run found
  (age, routes held, employment status as days before the index date);
- ``outcomes.csv``: every recorded outcome (notes are never exported);
- ``evidence.csv``: the coded records behind each letter, dated as days before
  the index date;
- ``yield.csv``: the yield table, counts of 1 to 7 shown as ``<8``;
- ``run_records/RUN_ID.json``: each run's record (no patient data);
- ``manifest.json``: the files and their hashes, and the key's fingerprint.

Practice patient ids and invitation references become keyed pseudonyms
(HMAC-SHA256 with WORKSPACE/secret.key, which never leaves the workspace); names,
NHS numbers, addresses and dates of birth are never read into the export. The
export is an audit entry.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pipeline import db
from pipeline.audit.log import append_entry
from pipeline.audit.pseudo import Pseudonymiser
from pipeline.audit.runs import has_table, list_runs
from pipeline.audit.yields import to_csv, yield_table
from pipeline.errors import UsageError
from pipeline.fsutil import atomic_write_text, private_dir, sha256_file
from pipeline.workspace import now

INVITATION_COLUMNS = (
    "invite",
    "person",
    "run_id",
    "study",
    "practice_code",
    "status",
    "age",
    "c1",
    "c2",
    "c3",
    "employment_category",
    "employment_days_before_index",
)
EVIDENCE_COLUMNS = (
    "invite",
    "person",
    "rule",
    "days_before_index",
    "coding_system",
    "code",
    "term",
    "codelist",
    "version",
    "category",
    "in_window",
)
OUTCOME_COLUMNS = (
    "invite",
    "person",
    "run_id",
    "study",
    "practice_code",
    "outcome",
    "reason",
    "recorded_on",
)


def export(ws, out: Path) -> dict:
    """Write the pseudonymised export to OUT (new or empty); returns the manifest."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            f"--out {out}: the folder exists and is not empty; give a new or empty folder"
        )
    with ws.lock("audit export"):
        pseudo = Pseudonymiser.for_workspace(ws)
        private_dir(out)
        tables, notes = _gather(ws, pseudo)
        counts = {
            name: _write_csv(out / f"{name}.csv", columns, rows)
            for name, (columns, rows) in tables.items()
        }
        atomic_write_text(out / "yield.csv", to_csv(yield_table(ws).shown(exact=False)))
        _copy_records(ws, out)
        manifest = _manifest(out, pseudo, counts, notes)
        atomic_write_text(
            out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        )
        append_entry(
            ws,
            "export",
            {
                "out_dir": str(out.resolve()),
                "key_fingerprint": manifest["key_fingerprint"],
                "rows": counts,
                "files": manifest["files"],
            },
        )
    return manifest


def _gather(ws, pseudo: Pseudonymiser) -> tuple[dict, list[str]]:
    invitations, evidence, notes = [], [], []
    runs = [r for r in list_runs(ws) if r.status != "failed_validation"]
    with ws.state(read_only=True) as con:
        for run in runs:
            if not run.db_path.exists():
                notes.append(
                    f"run {run.run_id}: run database missing; its letters are not in invitations.csv"
                )
                continue
            _from_run(
                con, run, pseudo=pseudo, invitations=invitations, evidence=evidence, notes=notes
            )
        outcomes = [_outcome_row(r, pseudo) for r in _rows(con, "export_outcomes")]
    tables = {
        "invitations": (INVITATION_COLUMNS, invitations),
        "evidence": (EVIDENCE_COLUMNS, evidence),
        "outcomes": (OUTCOME_COLUMNS, outcomes),
    }
    return tables, notes


def _from_run(
    con, run, *, pseudo: Pseudonymiser, invitations: list, evidence: list, notes: list
) -> None:
    db.run(con, "audit/attach_run", path=str(run.db_path))
    try:
        invitations += [
            _invitation_row(r, pseudo) for r in _rows(con, "export_invitations", run_id=run.run_id)
        ]
        if has_table(con, "evidence", catalog="audit_run"):
            evidence += [
                _evidence_row(r, pseudo) for r in _rows(con, "export_evidence", run_id=run.run_id)
            ]
        else:
            notes.append(
                f"run {run.run_id}: no evidence table; its letters have no rows in evidence.csv"
            )
    finally:
        db.script(con, "audit/detach_run")


def _rows(con, name: str, **params) -> list[dict]:
    cur = db.run(con, f"audit/{name}", **params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _keys(row: dict, pseudo: Pseudonymiser) -> dict:
    """The pseudonyms that replace a row's invitation reference and patient id."""
    return {
        "invite": pseudo.invite(row["invite_ref"]),
        "person": pseudo.person(row["practice_code"], row["patient_id"]),
    }


def _invitation_row(row: dict, pseudo: Pseudonymiser) -> dict:
    return {**{c: row.get(c) for c in INVITATION_COLUMNS}, **_keys(row, pseudo)}


def _evidence_row(row: dict, pseudo: Pseudonymiser) -> dict:
    return {**{c: row.get(c) for c in EVIDENCE_COLUMNS}, **_keys(row, pseudo)}


def _outcome_row(row: dict, pseudo: Pseudonymiser) -> dict:
    return {**{c: row.get(c) for c in OUTCOME_COLUMNS}, **_keys(row, pseudo)}


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> int:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: _cell(row[c]) for c in columns} for row in rows)
    atomic_write_text(path, buffer.getvalue())
    return len(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _copy_records(ws, out: Path) -> None:
    folder = private_dir(out / "run_records")
    for run in list_runs(ws):
        if run.record_path.is_file():
            atomic_write_text(
                folder / f"{run.run_id}.json", run.record_path.read_text(encoding="utf-8")
            )


def _manifest(out: Path, pseudo: Pseudonymiser, counts: dict, notes: list[str]) -> dict:
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    return {
        "format": "cohort-finder pseudonymised export v1",
        "created_at": now().isoformat() + "Z",
        "key_fingerprint": pseudo.fingerprint(),
        "pseudonyms": "invite and person are HMAC-SHA256 of the invitation reference and of practice code + "
        "patient id, keyed with the workspace's secret key (not exported)",
        "suppression": "yield.csv shows counts of 1 to 7 as <8",
        "rows": counts,
        "files": {p.relative_to(out).as_posix(): sha256_file(p) for p in files},
        "notes": notes,
    }
