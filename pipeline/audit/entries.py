"""The audit entries other parts of the pipeline write: runs, failed runs, rollbacks.

Each builds its details from ids, counts and hashes only, then appends one entry
(pipeline.audit.log). The orchestrator calls ``log_run`` after publishing a run
and ``log_run_failed`` when a run stops; ``cohort rollback`` calls ``log_rollback``.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.audit.log import append_entry
from pipeline.audit.runs import RECORD_NAME, RUN_DB, stored_dir
from pipeline.errors import CohortError
from pipeline.fsutil import sha256_file


def published_facts(out_dir: Path) -> dict:
    """What a run's audit entry says of its published folder (pipeline/journal.py)."""
    facts = _record_facts(out_dir)
    invited = (facts.get("counts") or {}).get("invited")
    return facts | ({"invited": invited} if invited is not None else {})


def _record_facts(out_dir: Path) -> dict:
    """The run record's hash and the counts it holds (empty when there is no record)."""
    path = Path(out_dir) / RECORD_NAME
    if not path.is_file():
        return {}
    record = json.loads(path.read_text(encoding="utf-8"))
    return {
        "run_record_sha256": sha256_file(path),
        "outputs_after_record": _after_record(Path(out_dir), record),
        "counts": record.get("counts", {}),
        "index_dates": sorted(set((record.get("index_dates") or {}).values())),
        "codelists": [f"{c['name']}@{c['version']}" for c in record.get("codelists", [])],
    }


def _after_record(out_dir: Path, record: dict) -> dict[str, str]:
    """Files written after the run record (e.g. report.html, which reads it): their hashes
    go in the log entry instead, so verify covers them too."""
    listed = {o["path"] for o in record.get("outputs") or []} | {RECORD_NAME, RUN_DB}
    found = {
        p.relative_to(out_dir).as_posix(): p for p in sorted(out_dir.rglob("*")) if p.is_file()
    }
    return {rel: sha256_file(p) for rel, p in found.items() if rel not in listed}


def _study_name(state) -> str:
    return state.study.name if state.study is not None else ""


def log_run(state) -> dict:
    """The 'run' entry for a published run (call after the folder is in place)."""
    details = {
        "run_id": state.run_id,
        "study": _study_name(state),
        "status": "published",
        "started_at": state.started_at,
        "out_dir": stored_dir(state.workspace, state.out_dir),
        "invited": state.invited,
        "screening": state.screening,
        **_record_facts(state.out_dir),
    }
    return append_entry(state.workspace, "run", details)


def failure_reason(error: BaseException | str) -> str:
    """A reason safe for the log: a user error's one-line message (which never holds
    patient data), otherwise only the kind of failure."""
    if isinstance(error, str):
        return error
    if isinstance(error, CohortError):
        return f"{type(error).__name__}: {error.message}"
    return f"internal error ({type(error).__name__}); see the console output of the run"


def log_run_failed(state, error: BaseException | str) -> dict:
    """The 'run_failed' entry; records the kept folder and its run record if any."""
    details = {
        "run_id": state.run_id,
        "study": _study_name(state),
        "status": state.status,
        "started_at": state.started_at,
        "reason": failure_reason(error),
    }
    out_dir = Path(state.out_dir)
    if (out_dir / RECORD_NAME).is_file():
        details |= {"out_dir": stored_dir(state.workspace, out_dir), **_record_facts(out_dir)}
    return append_entry(state.workspace, "run_failed", details)


def log_rollback(
    ws, *, run_id: str, reason: str, invitations: int, files_removed: list[str] | tuple = ()
) -> dict:
    """The 'rollback' entry: which run, why, how many invitations were withdrawn,
    and which of its files (relative to the run folder) were removed."""
    details = rollback_details(
        run_id=run_id, reason=reason, invitations=invitations, files_removed=files_removed
    )
    return append_entry(ws, "rollback", details)


def rollback_details(
    *, run_id: str, reason: str, invitations: int, files_removed: list[str] | tuple = ()
) -> dict:
    return {
        "run_id": run_id,
        "reason": reason,
        "invitations_rolled_back": int(invitations),
        "files_removed": sorted(str(f) for f in files_removed),
    }
