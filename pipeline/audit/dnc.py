"""The workspace's do-not-contact list: people never to be written to again.

An entry names the person by practice and patient id and, when known, NHS
number; every later run copies the list into its database and the study's
do-not-contact rule matches on either. Entries are added by a complaint, a
decline or a death (pipeline.audit.outcomes) or by hand, and are never deleted:
removal needs a reason and keeps the entry, marked removed. Every change is an
audit entry naming the person only by a keyed pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import db, journal
from pipeline.audit.identity import Person, resolve
from pipeline.audit.pseudo import Pseudonymiser
from pipeline.errors import UsageError
from pipeline.fsutil import sha256_text
from pipeline.workspace import now, operator


@dataclass(frozen=True)
class Change:
    """What a do-not-contact command did (no identifiers: safe to print anywhere)."""

    changed: int
    already: bool = False


def matching(con, person: Person) -> list[tuple]:
    """Entries in force for PERSON (by practice + patient id, or NHS number)."""
    return db.run(
        con,
        "audit/dnc_match",
        practice_code=person.practice_code,
        patient_id=person.patient_id,
        nhs_number=person.nhs_number,
    ).fetchall()


def insert(con, person: Person, *, reason: str, source: str) -> bool:
    """Add PERSON unless already listed; True when a row was added."""
    if matching(con, person):
        return False
    db.run(
        con,
        "audit/dnc_insert",
        practice_code=person.practice_code,
        patient_id=person.patient_id,
        nhs_number=person.nhs_number,
        reason=reason,
        source=source,
        added_at=now(),
        added_by=operator(),
    )
    return True


def audit_details(pseudo: Pseudonymiser, person: Person, **extra) -> dict:
    """Who, as keyed pseudonyms only (the practice code is not a patient identifier)."""
    details = {"practice_code": person.practice_code}
    if person.by_patient_id:
        details["person"] = pseudo.person(person.practice_code, person.patient_id)
    if person.nhs_number:
        details["nhs"] = pseudo.nhs(person.nhs_number)
    return details | extra


def _reason(reason: str | None, option: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise UsageError(
            f"{option}: say why (it is kept with the entry and its hash goes in the audit log)"
        )
    return text


def add(ws, person: Person, *, reason: str) -> Change:
    """`cohort dnc add`: put PERSON on the list by hand."""
    reason = _reason(reason, "--reason")
    pseudo = Pseudonymiser.for_workspace(ws)
    with ws.lock("dnc add"), journal.logged_change(ws, "dnc_add") as (con, entries):
        person = resolve(con, person)
        if not insert(con, person, reason=reason, source=person.invite_ref or "manual"):
            return Change(0, already=True)
        details = audit_details(
            pseudo, person, source=person.invite_ref or "manual", reason_sha256=sha256_text(reason)
        )
        entries.append(("dnc_add", details))
    return Change(1)


def remove(ws, person: Person, *, reason: str) -> Change:
    """`cohort dnc remove`: end every entry in force for PERSON, keeping them marked."""
    reason = _reason(reason, "--reason")
    pseudo = Pseudonymiser.for_workspace(ws)
    with ws.lock("dnc remove"), journal.logged_change(ws, "dnc_remove") as (con, entries):
        person = resolve(con, person)
        found = matching(con, person)
        if not found:
            raise UsageError(
                "that person is not on the do-not-contact list; `cohort dnc list` shows who is"
            )
        db.run(
            con,
            "audit/dnc_remove",
            practice_code=person.practice_code,
            patient_id=person.patient_id,
            nhs_number=person.nhs_number,
            removed_at=now(),
            removed_by=operator(),
            removed_reason=reason,
        )
        details = audit_details(
            pseudo, person, entries_removed=len(found), reason_sha256=sha256_text(reason)
        )
        entries.append(("dnc_remove", details))
    return Change(len(found))


def list_entries(ws, *, include_removed: bool = False) -> list[dict]:
    """The list for the practice (identifiers included: print it, never log it)."""
    with ws.state(read_only=True) as con:
        cur = db.run(con, "audit/dnc_list", include_removed=include_removed)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
