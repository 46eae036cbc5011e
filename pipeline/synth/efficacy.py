"""How well a study's letters hit the people it is for, measured on a synthetic world.

Reads a run's `population` table and the world's truth.csv (its answer key), takes
the letters a row of the comparison sends, and works out: letters per 1,000
registered working-age patients, precision (truly eligible share of letters),
recall (share of all eligible people written to), the shares written to people
in work, retired and students, and, through the reply model
(pipeline/synth/replies.py), enquiries, eligible enquirers, recruits and
complaints per 100 letters. `benchmarks/efficacy.py` and `make demo` print it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.synth.replies import flag, reply

# The pilot's Table 1, database search and mailshot row (shared/background).
PILOT_ROW = {
    "letters": 1017,
    "enquiries": 100 * 57 / 1017,
    "eligible_enquirers": 100 * 26 / 1017,
    "recruits": 100 * 26 / 1017,
    "eligible_share_of_enquirers": 26 / 57,
}

# The letters a row sends, as a query on the run database (attached as r): the
# pilot's search from the population's flags (registered, alive, working age, any
# pain route, and what every study gets: no data-quality hold, not already invited,
# not on the do-not-contact list), or the letters a run wrote.
CODELIST_ONLY = (
    "SELECT practice_code, patient_id FROM r.population WHERE registered AND alive "
    "AND working_age AND chronic_pain AND dq_reason IS NULL AND NOT already_invited "
    "AND NOT do_not_contact"
)
LETTERS = "SELECT practice_code, patient_id FROM r.invitations"

FIGURES = (
    ("letters", "letters", "{:,.0f}"),
    ("per_1000", "letters per 1,000 working-age", "{:.1f}"),
    ("precision", "precision (truly eligible)", "{:.1%}"),
    ("recall", "recall", "{:.1%}"),
    ("in_work", "to people in work", "{:.1%}"),
    ("retired", "to retired", "{:.1%}"),
    ("student", "to students", "{:.1%}"),
    ("enquiries", "enquiries /100 letters", "{:.2f}"),
    ("eligible_share_of_enquirers", "eligible share of enquirers", "{:.0%}"),
    ("eligible_enquirers", "eligible enquirers /100", "{:.2f}"),
    ("recruits", "recruits /100 letters", "{:.2f}"),
    ("complaints", "complaints /100 letters", "{:.2f}"),
)


@dataclass(frozen=True)
class World:
    """A run database and the truth.csv of the world it ran on."""

    run_db: Path
    truth_csv: Path


def _connect(world: World) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH '{world.run_db}' AS r (READ_ONLY)")
    con.execute(
        "CREATE TABLE truth AS SELECT * FROM read_csv($p, all_varchar = true)",
        {"p": str(world.truth_csv)},
    )
    return con


def measure(
    world: World,
    letters: str = LETTERS,
    *,
    seed: int,
    keep: Callable | None = None,
    people: list[tuple[str, str]] | None = None,
) -> dict[str, float]:
    """The figures for LETTERS (CODELIST_ONLY or LETTERS, queries of this module), or
    for PEOPLE ((practice_code, patient_id) pairs, e.g. a workspace's live letters),
    after KEEP (a filter of truth rows, e.g. a simulated GP's review) if given."""
    con = _connect(world)
    try:
        if people is not None:
            con.execute("CREATE TABLE letters (practice_code VARCHAR, patient_id VARCHAR)")
            con.executemany("INSERT INTO letters VALUES (?, ?)", people)
            letters = "SELECT DISTINCT practice_code, patient_id FROM letters"
        working_age = con.execute(
            "SELECT count(*) FROM r.population WHERE registered AND alive AND working_age"
        ).fetchall()[0][0]
        eligible_all = con.execute("SELECT count(*) FROM truth WHERE eligible = 'true'").fetchall()[
            0
        ][0]
        cur = con.execute(
            f"SELECT t.* FROM ({letters}) AS p JOIN truth AS t USING (practice_code, patient_id) "
            "ORDER BY t.practice_code, t.patient_id"
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if keep is not None:
            rows = keep(rows)
    finally:
        con.close()
    return figures(rows, working_age=working_age, eligible_all=eligible_all, seed=seed)


def figures(rows: list[dict], *, working_age: int, eligible_all: int, seed: int) -> dict:
    """Figures for letters to ROWS (truth.csv rows)."""
    n = len(rows)
    fates = [reply(r, f"{r['practice_code']}|{r['patient_id']}", seed=seed) for r in rows]
    enquired = sum(f.enquired for f in fates)
    eligible_enq = sum(f.enquired and f.outcome in ("eligible", "recruited") for f in fates)
    eligible = sum(flag(r, "eligible") for r in rows)

    def share(count: float) -> float:
        return count / n if n else math.nan

    return {
        "letters": n,
        "per_1000": 1000 * n / working_age if working_age else math.nan,
        "precision": share(eligible),
        "recall": eligible / eligible_all if eligible_all else math.nan,
        "in_work": share(sum(flag(r, "in_work") for r in rows)),
        "retired": share(sum(flag(r, "retired") for r in rows)),
        "student": share(sum(flag(r, "student") for r in rows)),
        "enquiries": 100 * share(enquired),
        "eligible_share_of_enquirers": eligible_enq / enquired if enquired else math.nan,
        "eligible_enquirers": 100 * share(eligible_enq),
        "recruits": 100 * share(sum(f.recruited for f in fates)),
        "complaints": 100 * share(sum(f.outcome == "complaint" for f in fates)),
    }


# Student's t for a 95% interval, by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% interval (t) of VALUES, one per seed."""
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return math.nan, math.nan, math.nan
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, mean, mean
    half = T95.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def format_table(rows: dict[str, list[dict]], *, intervals: bool = True) -> str:
    """Side by side: one column per row of the comparison (label -> figures per seed),
    then the pilot's Table 1 reference."""
    labels = list(rows)
    header = ["", *labels, "pilot Table 1"]
    lines = []
    for key, title, fmt in FIGURES:
        cells = [title]
        for label in labels:
            mean, lo, hi = interval([f[key] for f in rows[label]])
            text = "-" if math.isnan(mean) else fmt.format(mean)
            if intervals and len(rows[label]) > 1 and not math.isnan(mean):
                text += f" ({fmt.format(lo)}-{fmt.format(hi)})"
            cells.append(text)
        pilot = PILOT_ROW.get(key)
        cells.append("" if pilot is None else fmt.format(pilot))
        lines.append(cells)
    widths = [max(len(str(c[i])) for c in [header, *lines]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) for cells in lines]
    return "\n".join(out)


def within_pilot(figures_by_seed: list[dict], factor: float = 2.0) -> dict[str, bool]:
    """Whether the mean of each calibration figure is within FACTOR of the pilot's."""
    found = {}
    for key in ("enquiries", "eligible_share_of_enquirers", "recruits"):
        mean = interval([f[key] for f in figures_by_seed])[0]
        target = PILOT_ROW[key]
        found[key] = target / factor <= mean <= target * factor
    return found


def demo_comparison(
    run_db: Path, truth_csv: Path, *, seed: int, letters: list[tuple[str, str]]
) -> str:
    """A few lines for `make demo`: its LETTERS (the workspace's live letters) beside
    the codelist-only search of the same world (from RUN_DB's population) and the
    pilot's Table 1 (one world, so no intervals)."""
    world = World(run_db, truth_csv)
    rows = {
        "codelist-only": [measure(world, CODELIST_ONLY, seed=seed)],
        "this demo's letters": [measure(world, seed=seed, people=letters)],
    }
    return format_table(rows, intervals=False)
