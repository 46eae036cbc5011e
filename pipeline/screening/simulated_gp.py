"""A simulated GP, for the demo and the efficacy benchmark (never for real patients).

It reads a run's screening list and the synthetic world's hidden truth
(``truth.csv`` from ``cohort synth``) and decides for each listed person as a
GP reviewing the list might: it excludes a stated share of the people who are
truly in paid work as ``in_work`` (the GP knows the employment of only some of
their patients), and a stated share of everyone else for the other reasons.
Every rate is an assumption, stated in GPAssumptions with its basis:

- ``knows_in_work`` 0.30: occupation is recorded in the GP record of 17% of
  working-age patients in one audited practice, 30% a year after the electronic
  fit note, and 1-14% in others (Cornwall audits: Occup Med 2013 "Recording
  occupation in general practice"; Occup Med 2015 "a second cycle audit"). We
  assume a GP screening a list knows about as many as the best-recording
  practice had written down (30%); this is an assumption, not a measurement.
- ``bereavement`` 0.01, ``serious_illness`` 0.01, ``safeguarding`` 0.002,
  ``other`` 0.005: assumptions (no published rate of GP screening exclusions
  by reason was found), kept small so that screening's effect comes from the
  in-work exclusions it is meant to measure.

Decisions are drawn from a hash of (seed, practice, patient id, what is
decided), so the same person gets the same decision in any order, on any
machine. Plain function API for ``benchmarks/efficacy.py``:
``screen_people(people, truth, assumptions) -> {(practice, patient): (decision, reason)}``
and ``read_truth(path)``; for files, ``simulate_gp(truth=, screening_list=, out=)``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.invitations.csvfiles import write_csv

Key = tuple[str, str]
OTHER_TEXT = "simulated GP: another reason not to approach now"


@dataclass(frozen=True)
class GPAssumptions:
    """Shares of listed people a simulated GP excludes, by reason (module docstring: basis)."""

    knows_in_work: float = 0.30
    other_reasons: dict[str, float] = field(
        default_factory=lambda: {
            "bereavement": 0.01,
            "serious_illness": 0.01,
            "safeguarding": 0.002,
            "other": 0.005,
        }
    )
    seed: int = 0

    def __post_init__(self):
        shares = [self.knows_in_work, *self.other_reasons.values()]
        assert all(0 <= s <= 1 for s in shares), "shares are between 0 and 1"
        assert sum(self.other_reasons.values()) <= 1, "the other reasons add up to at most 1"


@dataclass(frozen=True)
class GPResult:
    """Counts only: how many were listed, included, and excluded by reason."""

    listed: int
    included: int
    excluded: dict[str, int]
    in_work_listed: int
    in_work_excluded: int


def uniform(seed: int, key: Key, what: str) -> float:
    """A number in [0, 1) fixed by (SEED, KEY, WHAT)."""
    digest = hashlib.sha256(f"{seed}|{key[0]}|{key[1]}|{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def decide_one(key: Key, *, in_work: bool, assumptions: GPAssumptions) -> tuple[str, str | None]:
    """(decision, reason) for one listed person."""
    if in_work and uniform(assumptions.seed, key, "in_work") < assumptions.knows_in_work:
        return "exclude", "in_work"
    draw, edge = uniform(assumptions.seed, key, "other"), 0.0
    for reason, share in assumptions.other_reasons.items():
        edge += share
        if draw < edge:
            return "exclude", reason
    return "include", None


def screen_people(
    people: Iterable[Key], truth: dict[Key, dict], assumptions: GPAssumptions = GPAssumptions()
) -> dict[Key, tuple[str, str | None]]:
    """The simulated GP's (decision, reason) for each (practice_code, patient_id) in PEOPLE.

    TRUTH maps (practice_code, patient_id) to the person's truth.csv row (``read_truth``);
    a person missing from it is treated as not in work.
    """
    return {
        key: decide_one(key, in_work=_in_work(truth.get(key)), assumptions=assumptions)
        for key in people
    }


def read_truth(path: Path) -> dict[Key, dict]:
    """truth.csv as {(practice_code, patient_id): row}."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {(r["practice_code"], r["patient_id"]): r for r in csv.DictReader(fh)}


def _in_work(row: dict | None) -> bool:
    return bool(row) and str(row.get("in_work", "")).lower() == "true"


def simulate_gp(
    *, truth: Path, screening_list: Path, out: Path, assumptions: GPAssumptions = GPAssumptions()
) -> GPResult:
    """Fill in SCREENING_LIST's decision columns as the simulated GP would; write OUT."""
    with open(screening_list, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns, rows = list(reader.fieldnames or []), list(reader)
    world = read_truth(truth)
    keys = [(r["practice_code"], r["patient_id"].lstrip("'")) for r in rows]
    decided = screen_people(keys, world, assumptions)
    for row, key in zip(rows, keys, strict=True):
        decision, reason = decided[key]
        row |= {"decision": decision, "reason": reason or "", "reason_text": ""}
        if reason == "other":
            row["reason_text"] = OTHER_TEXT
    write_csv(out, columns, [[r[c] for c in columns] for r in rows])
    return _result(keys, decided, world)


def _result(keys: list[Key], decided: dict, world: dict) -> GPResult:
    excluded = Counter(reason for decision, reason in decided.values() if decision == "exclude")
    in_work = [k for k in keys if _in_work(world.get(k))]
    return GPResult(
        listed=len(keys),
        included=sum(1 for decision, _ in decided.values() if decision == "include"),
        excluded=dict(sorted(excluded.items())),
        in_work_listed=len(in_work),
        in_work_excluded=sum(1 for k in in_work if decided[k] == ("exclude", "in_work")),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fill in a screening list as a simulated GP.")
    parser.add_argument("--truth", type=Path, required=True, help="the synthetic world's truth.csv")
    parser.add_argument("--list", type=Path, required=True, help="a run's screening_list.csv")
    parser.add_argument("--out", type=Path, required=True, help="the decisions file to write")
    parser.add_argument("--knows-in-work", type=float, default=GPAssumptions.knows_in_work)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    assumptions = GPAssumptions(knows_in_work=args.knows_in_work, seed=args.seed)
    result = simulate_gp(
        truth=args.truth, screening_list=args.list, out=args.out, assumptions=assumptions
    )
    print(result)


if __name__ == "__main__":  # pragma: no cover
    main()
