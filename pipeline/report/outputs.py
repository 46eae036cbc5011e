"""What is in the run folder, for the report's "where the outputs are" section:
each file's name, what it is for, and whether it holds patient details."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# name -> (what it is, holds patient details?)
KNOWN = {
    "mailmerge.csv": ("Every invitation, one row each, for the word processor's mail merge", True),
    "practices": ("The same invitations split by practice, with printable letters", True),
    "nurse_list.csv": ("The list for the practice team to check before letters go out", True),
    "quarantine.csv": ("Patients held back until their contact details are corrected", True),
    "deferred.csv": (
        "Patients held back by a practice's invitation limit (invitable next run)",
        True,
    ),
    "evidence.csv": ("For each invitee, the records that made them eligible", True),
    "validation": ("Validation results (results.json, results.html): counts only", False),
    "run_record.json": ("The audit record: inputs, versions, hashes, counts", False),
    "compiled_study.sql": ("The study's rules as the SQL that ran", False),
    "run.duckdb": ("The run database: every table the run built", True),
    "report.html": ("This report", False),
}


@dataclass(frozen=True)
class OutputFile:
    name: str
    description: str
    patient_data: bool
    is_dir: bool


def output_files(run_dir: Path) -> list[OutputFile]:
    """The top-level entries of RUN_DIR, known ones first, then any others."""
    present = (
        {p.name: p for p in run_dir.iterdir() if not p.name.startswith(".")}
        if run_dir.is_dir()
        else {}
    )
    present.setdefault("report.html", run_dir / "report.html")
    ordered = [n for n in KNOWN if n in present] + sorted(n for n in present if n not in KNOWN)
    return [
        OutputFile(
            name=name,
            description=KNOWN.get(name, ("", True))[0],
            patient_data=KNOWN.get(name, ("", True))[1],
            is_dir=present[name].is_dir(),
        )
        for name in ordered
    ]
