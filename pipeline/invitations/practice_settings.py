"""Each practice's letter settings, from its manifest: telephone, email, language.

The manifest keys ``practice_telephone``, ``practice_email`` and
``letter_language`` (docs/extract-format.md) are copied into the run database's
``practice_letters`` table when the letters are written, so a later
``cohort remind`` prints the same details without the extract.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from pipeline import db
from pipeline.errors import ExtractError
from pipeline.invitations.letter_text import PRACTICE_CONTACTS, LetterText


def store_practice_letters(con: duckdb.DuckDBPyConnection, manifests: Sequence | None) -> None:
    """Create ``practice_letters`` from MANIFESTS; keep an existing table when none are given."""
    if manifests is None and _exists(con):
        return
    manifests = list(manifests or ())
    db.run(
        con,
        "invitations/practice_letters",
        codes=[m.practice_code for m in manifests],
        telephones=[m.practice_telephone for m in manifests],
        emails=[m.practice_email for m in manifests],
        languages=[m.letter_language for m in manifests],
    )


def check_practice_contacts(text: LetterText, manifests: Sequence, *, study_source) -> None:
    """ExtractError naming the first practice whose manifest lacks a detail the study requires."""
    for key in (k for k in text.require if k in PRACTICE_CONTACTS):
        lacking = [m for m in manifests if not getattr(m, key)]
        if lacking:
            first = lacking[0]
            more = f" (and {len(lacking) - 1} more practices)" if len(lacking) > 1 else ""
            raise ExtractError(
                f"{first.folder / 'manifest.yaml'}: no {key}, which {study_source} requires on "
                f"every letter (letter.require){more}; add {key}: to the manifest"
            )


def _exists(con) -> bool:
    (n,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'practice_letters'"
    ).fetchone()
    return n > 0
