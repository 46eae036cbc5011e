"""`cohort explain`: why one patient was (or was not) invited, from what each run stored.

Gathers, for every run that considered the patient, the facts its run database
kept (population verdicts, the coded records behind each rule, the invitation,
quarantine, deferral, prior invitations and do-not-contact matches) and its run
record (study, codelist versions, index dates); then what the workspace knows
since (the ledger, outcomes, the do-not-contact list). pipeline.audit.explain_text
turns the facts into plain English. Everything here is for the practice and
holds identifiers: it is printed, never logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline import db
from pipeline.audit.explain_text import describe_run, describe_since
from pipeline.audit.identity import Person, resolve
from pipeline.audit.runs import RunInfo, list_runs, open_run_db, tables
from pipeline.errors import UsageError
from pipeline.study.model import ROLES


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
        found = [describe_run(facts) for run in runs for facts in gather_run(run, person)]
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
    ("prior", "explain_prior", "prior_invitations", False),
    ("dnc", "explain_dnc", "do_not_contact", False),
    ("screened", "explain_screened", "screened_out", False),
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
            _patient_facts(
                con, run, present=present, record=record, key={"practice_code": c, "patient_id": p}
            )
            for c, p in keys
        ]


def _patient_facts(con, run: RunInfo, *, present: frozenset, record: dict, key: dict) -> dict:
    patient = _one(con, "explain_patient", **key)
    facts = {
        "run": _run_facts(run, record),
        "patient": patient,
        "parameters": parameters(con, record, present),
    }
    for name, sql, table, single in PARTS:
        if table not in present:
            facts[name] = None if single else []
        else:
            facts[name] = _one(con, sql, **key) if single else _rows(con, sql, **key)
    facts["records"] = []
    if "codelist_codes" in present:
        facts["records"] = _rows(
            con, "explain_records", **key, index_date=patient["index_date"], **roles_of(record, con)
        )
    return facts


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


def roles_of(record: dict, con) -> dict:
    """Parallel lists role/codelist/version: from the run record, else role = codelist name."""
    pins = [
        (c["role"], c["name"], c["version"]) for c in record.get("codelists", []) if c.get("role")
    ]
    if not pins:
        rows = db.run(con, "audit/explain_codelists").fetchall()
        pins = [(name, name, version) for name, version in rows if name in ROLES]
    return {
        "roles": [p[0] for p in pins],
        "codelists": [p[1] for p in pins],
        "versions": [p[2] for p in pins],
    }


def parameters(con, record: dict, present: frozenset) -> dict:
    """The study's numbers as the run used them (run database first, then the run record)."""
    found = dict((record.get("study") or {}).get("parameters") or {})
    if "study_parameters" in present:
        found |= dict(db.run(con, "audit/explain_parameters").fetchall())
    return {k: _number(v) for k, v in found.items()}


def _number(value):
    text = str(value)
    return int(text) if text.lstrip("-").isdigit() else value


def _rows(con, name: str, **params) -> list[dict]:
    cur = db.run(con, f"audit/{name}", **params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _one(con, name: str, **params) -> dict | None:
    rows = _rows(con, name, **params)
    return rows[0] if rows else None


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
