"""`cohort explain`: why one patient was (or was not) invited, from what each run stored.

Gathers, for every run that considered the patient, the facts its run database
kept (the study tree it applied, population verdicts, the evidence rows behind
each criterion, ledger, do-not-contact and screening matches, the invitation,
quarantine and deferral) and its run record (study, codelist versions); then
what the workspace knows since (the ledger, outcomes, the do-not-contact list).
Nothing is worked out again: explain only reads what the run stored. pipeline.audit.explain_text
turns the facts into plain English. Everything here is for the practice and
holds identifiers: it is printed, never logged.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb

from pipeline import db
from pipeline.audit.explain_text import describe_run, describe_since
from pipeline.audit.identity import Person, resolve
from pipeline.audit.runs import RunInfo, list_runs, open_run_db, tables
from pipeline.errors import UsageError


@dataclass(frozen=True)
class Explanation:
    person: Person
    runs: list[dict]
    since: dict

    def as_dict(self) -> dict:
        return {
            "question": _jsonable(vars(self.person)),
            "runs": _jsonable(self.runs),
            "since": _jsonable(self.since),
        }


def explain(ws, person: Person, *, run_id: str | None = None) -> Explanation:
    """Every run (or just RUN_ID) that considered PERSON, explained rule by rule."""
    with ws.state(read_only=True) as con:
        person = resolve(con, person)
        runs = list_runs(ws, run_id=run_id, con=con)
        found = [
            describe_run(with_screening(con, facts))
            for run in runs
            for facts in gather_run(run, person)
        ]
        if not found:
            raise UsageError(_not_found(person, run_id))
        keys = {
            (
                r["patient"]["practice_code"],
                r["patient"]["patient_id"],
                r["patient"].get("nhs_number"),
            )
            for r in found
        }
        return Explanation(person, found, describe_since(gather_since(con, keys)))


def _not_found(person: Person, run_id: str | None) -> str:
    where = f"run {run_id}" if run_id else "any run of this workspace"
    if person.invite_ref:
        return f"invitation {person.invite_ref}: its patient is not in {where} (was the run folder moved or deleted?)"
    if person.by_patient_id:
        return f"practice {person.practice_code} patient id {person.patient_id!r} is not in {where}; check the id and --workspace"
    return f"no patient with that NHS number is in {where}; check the number, or give --practice and --patient-id"


# What each run-database table adds: (key, sql/audit file, table it needs, one row or many).
PARTS = (
    ("population", "explain_population", "population", True),
    ("invitation", "explain_invitation", "invitations", True),
    ("deferred", "explain_deferred", "deferred", True),
    ("quarantine", "explain_quarantine", "quarantine", True),
    ("evidence", "explain_evidence", "evidence", False),
)


def gather_run(run: RunInfo, person: Person) -> list[dict]:
    """The facts RUN stored about PERSON (one dict per matching patient record)."""
    if not run.db_path.exists():
        return []
    record = run.record()
    with open_run_db(run.db_path) as con:
        present = tables(con)
        if "patients" not in present:
            return []
        keys = db.run(
            con,
            "audit/explain_find",
            practice_code=person.practice_code,
            patient_id=person.patient_id,
            nhs_number=person.nhs_number,
        ).fetchall()
        return [
            patient_facts(
                con, run, present=present, record=record, key={"practice_code": c, "patient_id": p}
            )
            for c, p in keys
        ]


def patient_facts(con, run: RunInfo, *, present: frozenset, record: dict, key: dict) -> dict:
    """Everything one run database stored about one patient, read, never worked out again."""
    patient = _one(con, "explain_patient", **key)
    facts = {
        "run": _run_facts(run, record),
        "patient": patient,
        "definition": definition(con, present),
    }
    for name, sql, table, single in PARTS:
        if table not in present:
            facts[name] = None if single else []
        else:
            facts[name] = _one(con, sql, **key) if single else _rows(con, sql, **key)
    if _on_demand(facts):
        from pipeline.study.ondemand import patient_evidence

        facts["evidence"] = patient_evidence(run.db_path, facts["definition"], **key)
    facts["records_after_index_date"] = (
        db.run(
            con, "audit/explain_after_index", **key, index_date=patient["index_date"]
        ).fetchone()[0]
        if "codelist_codes" in present
        else 0
    )
    return facts


def _on_demand(facts: dict) -> bool:
    """Whether the run kept no evidence rows for this patient: it keeps them for the
    invited, deferred and quarantined; anyone else's are worked out when asked."""
    pop = facts["population"]
    if pop is None or facts["definition"] is None:
        return False
    return not (pop["invited"] or pop["stopped_by"] == "data_quality")


def definition(con, present: frozenset) -> dict | None:
    """The study tree the run applied (study_definition), or None for an older run."""
    if "study_definition" not in present:
        return None
    row = db.run(con, "audit/explain_definition").fetchone()
    return json.loads(row[1]) if row else None


def _run_facts(run: RunInfo, record: dict) -> dict:
    study = record.get("study") or {}
    return {
        "run_id": run.run_id,
        "status": run.status,
        "started_at": record.get("started_at") or run.started_at,
        "operator": record.get("operator"),
        "study": study.get("name") or run.study,
        "study_file": study.get("file"),
        "study_sha256": study.get("sha256"),
        "codelists": [
            {k: c.get(k) for k in ("role", "name", "version", "content_hash")}
            for c in record.get("codelists", [])
        ],
        "tool_version": (record.get("tool") or {}).get("version"),
        "has_record": bool(record),
    }


def _rows(con, name: str, **params) -> list[dict]:
    cur = db.run(con, f"audit/{name}", **params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _one(con, name: str, **params) -> dict | None:
    rows = _rows(con, name, **params)
    return rows[0] if rows else None


def with_screening(con, facts: dict) -> dict:
    """FACTS plus the run's GP screening state and this patient's decision (workspace state)."""
    key = facts["patient"] or {}
    try:
        cur = db.run(
            con,
            "screening/screening_status",
            run_id=facts["run"]["run_id"],
            practice_code=key.get("practice_code"),
            patient_id=key.get("patient_id"),
        )
    except duckdb.Error:  # a workspace from before screening, opened read-only
        return {**facts, "screening": None}
    row = cur.fetchone()
    names = [d[0] for d in cur.description]
    return {**facts, "screening": dict(zip(names, row, strict=True)) if row else None}


def gather_since(con, keys: set[tuple]) -> dict:
    """The workspace's ledger rows, outcomes and do-not-contact entries for these patient records."""
    ledger, dnc = {}, {}
    for practice_code, patient_id, nhs in sorted(keys, key=str):
        params = {"practice_code": practice_code, "patient_id": patient_id, "nhs_number": nhs}
        ledger |= {r["invite_ref"]: r for r in _rows(con, "ledger_for_person", **params)}
        dnc |= {r["entry_id"]: r for r in _rows(con, "dnc_match", **params)}
    outcomes = _rows(con, "outcomes_for_refs", refs=sorted(ledger)) if ledger else []
    return {
        "ledger": list(ledger.values()),
        "outcomes": outcomes,
        "do_not_contact": list(dnc.values()),
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value
