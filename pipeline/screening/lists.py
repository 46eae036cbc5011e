"""The GP screening lists a screened run writes instead of letters.

Run folder: ``screening/screening_list.csv`` (every practice: the file to fill
in and import) and, per practice, ``screening/CODE/screening_list.csv`` and a
printable ``screening/CODE/screening_list.html``. Each row: the screening
reference, the person (name, date of birth, NHS number), a one-line summary of
the evidence in plain words, score and rank, and empty ``decision``,
``reason`` and ``reason_text`` columns for the GP (docs/invitations.md).
``quarantine.csv`` and ``deferred.csv`` are written as for any run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import duckdb
import jinja2

from pipeline import db
from pipeline.fsutil import atomic_write_text, private_dir
from pipeline.invitations.csvfiles import write_csv
from pipeline.invitations.letters import uk_date
from pipeline.paths import TEMPLATES_DIR
from pipeline.screening.decisions import REASONS

FOLDER = "screening"
LIST = "screening_list"
COLUMNS = (
    "screening_ref", "practice_code", "patient_id", "nhs_number", "title", "forename", "surname",
    "date_of_birth", "evidence", "score", "rank", "decision", "reason", "reason_text",
)  # fmt: skip
# Written as for any run: (file, sql/ query).
KEPT = (
    ("quarantine.csv", "invitations/quarantine_rows"),
    ("deferred.csv", "invitations/deferred_rows"),
)


def evidence_summary(facts: dict, study) -> str:
    """One line in plain words, from the person's population row (FACTS) and the
    study's criteria: the criteria that held beyond the steps everyone listed
    passed (e.g. which chronic-pain routes), out-of-work evidence, and the latest
    category of each "latest record" criterion (e.g. employment status)."""
    in_steps = {s.criterion for s in study.steps}
    parts = []
    for c in study.criteria:
        category = f"{c.name}_category"
        if facts.get(category):
            parts.append(_latest(c.name, facts[category], facts.get(f"{c.name}_date")))
        elif c.name not in in_steps and facts.get(c.name) is True:
            parts.append(c.label)
    if facts.get("out_of_work_evidence"):
        parts.insert(0, "coded evidence of being out of work")
    text = "; ".join(parts) or "every rule of the study held"
    return text[:1].upper() + text[1:]


def _latest(name: str, category: str, when: str | None) -> str:
    what = name.replace("_", " ")
    return f"latest {what} record: {category.replace('_', ' ')}" + (f" ({when})" if when else "")


def list_rows(con: duckdb.DuckDBPyConnection, study) -> list[dict]:
    """Every listed person as a dict of COLUMNS (decision columns empty)."""
    from pipeline.invitations.outputs import list_people

    list_people(con)
    cursor = db.run(con, "screening/list_rows")
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        row["evidence"] = evidence_summary(json.loads(row["facts"]), study)
        rows.append({c: row.get(c) for c in COLUMNS})
    return rows


def write_screening_lists(con: duckdb.DuckDBPyConnection, stage_dir: Path, *, study) -> list[Path]:
    """Write the run's screening lists, quarantine.csv and deferred.csv into STAGE_DIR
    (every practice of the run gets its folder); return the files written."""
    stage_dir = Path(stage_dir)
    rows = list_rows(con, study)
    folder = private_dir(stage_dir / FOLDER)
    files = [_table(con, stage_dir / name, sql) for name, sql in KEPT]
    files.append(write_csv(folder / f"{LIST}.csv", COLUMNS, [list(r.values()) for r in rows]))
    practices = [(row[0], row[1]) for row in db.run(con, "invitations/run_practices").fetchall()]
    by_practice: defaultdict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_practice[row["practice_code"]].append(row)
    template = _template()
    for code, name in practices:
        mine = by_practice[code]
        sub = private_dir(folder / code)
        files.append(write_csv(sub / f"{LIST}.csv", COLUMNS, [list(r.values()) for r in mine]))
        html = template.render(
            study_title=getattr(study, "title", study.name),
            practice={"code": code, "name": name},
            rows=[_printable(r) for r in mine],
            reasons=REASONS,
            made=uk_date(dt.date.today()),
        )
        atomic_write_text(sub / f"{LIST}.html", html)
        files.append(sub / f"{LIST}.html")
    return files


def _table(con, path: Path, sql: str) -> Path:
    cursor = db.run(con, sql)
    return write_csv(path, [d[0] for d in cursor.description], cursor.fetchall())


def _printable(row: dict) -> dict:
    born = row["date_of_birth"]
    name = " ".join(x for x in (row["title"], row["forename"], row["surname"]) if x)
    return {**row, "name": name, "born": uk_date(born) if born else ""}


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(f"{LIST}.html.j2")
