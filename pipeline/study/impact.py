"""Codelist impact: who joins or leaves the invited list if one codelist changes version.

The extract is loaded into an in-memory database, the codelist table is built
for both versions at once, and the study runs twice, pinned first to the old
version and then to the new one. Nothing is written to any workspace or run
folder; earlier invitations and the do-not-contact list play no part (the
question is what the codelist change does). The report carries ids only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from pipeline import db
from pipeline.study.execute import run_study
from pipeline.study.model import Study


@dataclass(frozen=True)
class Change:
    practice_code: str
    patient_id: str
    change: str  # joins | leaves
    stopped_by_before: str | None
    stopped_by_after: str | None


@dataclass(frozen=True)
class Impact:
    study: str
    codelist: str
    before: str
    after: str
    index_date: dt.date | None
    invited: tuple[tuple[str, int, int], ...]  # (practice_code, with old version, with new version)
    changes: tuple[Change, ...]

    def count(self, change: str, practice: str | None = None) -> int:
        return sum(
            1 for c in self.changes if c.change == change and practice in (None, c.practice_code)
        )


def codelist_impact(
    con: duckdb.DuckDBPyConnection, study: Study, *, codelist: str, before: str, after: str
) -> Impact:
    """Run STUDY on CON with CODELIST at version BEFORE, then AFTER, and compare.

    CON holds the extract, run_practices, codelist_codes (both versions),
    prior_invitations, do_not_contact and screened_out."""
    run_study(con, study.with_codelist_version(codelist, before))
    db.run(con, "study/impact_snapshot")
    run_study(con, study.with_codelist_version(codelist, after))
    changes = tuple(Change(*row) for row in db.run(con, "study/impact_changes").fetchall())
    invited = tuple(db.run(con, "study/impact_counts").fetchall())
    return Impact(study.name, codelist, before, after, None, invited, changes)


def impact_on_extract(
    paths: list[Path],
    study: Study,
    *,
    codelist: str,
    before: str,
    after: str,
    index_date: dt.date | None = None,
    repository=None,
) -> Impact:
    """Load PATHS into an in-memory database and compare two versions of CODELIST
    (from REPOSITORY, default the project's codelists/), through the stages `cohort
    run` uses (pipeline/stages.py: IMPACT)."""
    from pipeline import stages
    from pipeline.codelists.repository import load_repository
    from pipeline.progress import Progress
    from pipeline.state import StudyOptions, StudyState

    study.with_codelist_version(codelist, before)  # names the codelist before any loading
    repo = repository or load_repository()
    versions = [repo.get(name, version) for _, name, version in study.codelist_refs()]
    versions += [repo.get(codelist, before), repo.get(codelist, after)]
    state = StudyState(
        options=StudyOptions(
            extracts=tuple(paths), study_path=Path(study.source), index_date=index_date
        ),
        con=db.connect(),
        study=study,
        codelists=versions,
    )
    try:
        stages.run_stages(state, stages.IMPACT, Progress(quiet=True))
        result = codelist_impact(state.con, study, codelist=codelist, before=before, after=after)
    finally:
        state.con.close()
    return replace(result, index_date=index_date)


def format_impact(impact: Impact) -> str:
    """The plain-text report: totals, a line per practice, then each patient's id."""
    when = impact.index_date or "each practice's extract date"
    lines = [
        f"Codelist {impact.codelist}: version {impact.before} -> {impact.after} "
        f"(study {impact.study}, index date {when})",
        f"Invited with version {impact.before}: {sum(r[1] for r in impact.invited)}; "
        f"with version {impact.after}: {sum(r[2] for r in impact.invited)}; "
        f"join: {impact.count('joins')}; leave: {impact.count('leaves')}.",
        "",
        _practice_table(impact),
    ]
    for change, heading in (("joins", "Joining"), ("leaves", "Leaving")):
        lines += ["", *_patients(impact, change, heading)]
    return "\n".join(lines)


def _practice_table(impact: Impact) -> str:
    head = ("practice", f"invited v{impact.before}", f"invited v{impact.after}", "join", "leave")
    rows = [head] + [
        (p, str(b), str(a), str(impact.count("joins", p)), str(impact.count("leaves", p)))
        for p, b, a in impact.invited
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    )


def _patients(impact: Impact, change: str, heading: str) -> list[str]:
    chosen = [c for c in impact.changes if c.change == change]
    if not chosen:
        return [f"{heading}: none."]
    other = impact.before if change == "joins" else impact.after
    lines = [
        f"{heading} ({len(chosen)}; practice_code, patient_id, the rule that stops them with version {other}):"
    ]
    for c in chosen:
        rule = c.stopped_by_before if change == "joins" else c.stopped_by_after
        lines.append(f"  {c.practice_code}  {c.patient_id}  {rule}")
    return lines
