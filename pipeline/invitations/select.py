"""Choosing the run's invitations from the study's population, within capacity, by score.

``select_invitations`` turns ``population WHERE invited`` into two run-database
tables (docs/design/contracts.md): ``invitations`` (one row per letter, with a
fresh invite reference) and ``deferred`` (held back by a practice's capacity
limit). The ranking that decides who is deferred is in
sql/invitations/candidates.sql and docs/invitations.md.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb

from pipeline import db
from pipeline.invitations.refs import new_refs


def select_invitations(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    study_name: str,
    existing_refs: Collection[str],
    max_per_practice: int | None = None,
    seed: int = 0,
) -> int:
    """Create ``invitations`` and ``deferred`` in the run database; return how many are invited.

    MAX_PER_PRACTICE is the run's capacity (``--max-invites-per-practice``, else
    the study's ``capacity_per_practice``; None: no limit). Within it the highest
    ``population.score`` goes first, equal scores in the order of the SHA-256 of
    study|SEED|practice|patient id. EXISTING_REFS are every reference already in
    the workspace ledger (any status), so a new reference never repeats an old one.
    """
    assert max_per_practice is None or max_per_practice >= 1, "capacity must be at least 1"
    db.run(con, "invitations/candidates", study=study_name, seed=seed, capacity=max_per_practice)
    (chosen,) = db.run(con, "invitations/count_selected").fetchone()
    refs = new_refs(chosen, existing=existing_refs)
    db.run(con, "invitations/invitations", refs=refs, run_id=run_id, study=study_name)
    db.run(con, "invitations/deferred", run_id=run_id, study=study_name)
    db.run(con, "invitations/drop_candidates")
    return chosen
