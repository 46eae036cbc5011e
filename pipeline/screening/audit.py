"""The audit entries of GP screening: each import of decisions, each release.

Details are ids (run id, screening references), counts, reason codes and file
hashes: never a name, NHS number or the GP's free text (``reason_text`` stays
in the workspace state and is covered by the imported file's hash).
"""

from __future__ import annotations

from pipeline.audit.log import append_entry


def log_import(ws, summary, *, file_name: str) -> dict:
    """The 'screening_import' entry: whose decisions, from which file, every decision by reference."""
    details = {
        "run_id": summary.run_id,
        "study": summary.study,
        "file": file_name,
        "file_sha256": summary.source_sha256,
        "practices": list(summary.practices),
        "included": summary.included,
        "excluded": summary.excluded,
        "decisions": [list(d) for d in summary.decisions],
    }
    return append_entry(ws, "screening_import", details)


def log_release(
    ws,
    *,
    run_id: str,
    study: str,
    outputs: dict,
    included: int | None = None,
    excluded: dict | None = None,
    recovered: bool = False,
) -> dict:
    """The 'release' entry: the run, counts by decision and reason, and every file it wrote with its hash."""
    details = {
        "run_id": run_id,
        "study": study,
        "included": included,
        "excluded": excluded,
        "outputs": outputs,
    }
    if recovered:
        details["recovered"] = True
    return append_entry(ws, "release", details)
