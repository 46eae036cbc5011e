"""Who a command is about: an invitation reference, an NHS number, or a practice's
patient id. Checks the identifiers a person typed; messages never repeat them
(except the invitation reference, which is printed on the letter)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import db
from pipeline.errors import UsageError
from pipeline.invitations.refs import validate_ref

NHS_DIGITS = re.compile(r"\d{10}")


@dataclass(frozen=True)
class Person:
    practice_code: str | None = None
    patient_id: str | None = None
    nhs_number: str | None = None
    invite_ref: str | None = None

    @property
    def by_patient_id(self) -> bool:
        return bool(self.practice_code and self.patient_id)


def nhs_number_valid(digits: str) -> bool:
    """The Modulus 11 check: weights 10..2 on the first nine digits."""
    if not NHS_DIGITS.fullmatch(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def clean_nhs_number(text: str, *, option: str = "--nhs-number") -> str:
    """Digits only; UsageError (without the number) if it is not a valid NHS number."""
    digits = re.sub(r"\s", "", text or "")
    if not nhs_number_valid(digits):
        raise UsageError(
            f"{option}: not a valid NHS number (10 digits passing the Modulus 11 check); check it against the record"
        )
    return digits


def person_from_options(
    *, invite_ref=None, nhs_number=None, practice=None, patient_id=None
) -> Person:
    """Exactly one way of naming a person: --invite-ref, --nhs-number, or --practice with --patient-id."""
    if bool(practice) != bool(patient_id):
        raise UsageError(
            "give --practice and --patient-id together (the patient id is only unique within a practice)"
        )
    ways = sum(bool(x) for x in (invite_ref, nhs_number, practice))
    if ways != 1:
        raise UsageError(
            "say who: give one of --invite-ref, --nhs-number, or --practice with --patient-id"
        )
    if nhs_number:
        return Person(nhs_number=clean_nhs_number(nhs_number))
    if practice:
        return Person(practice_code=practice.strip().upper(), patient_id=patient_id.strip())
    return Person(invite_ref=validate_ref(invite_ref))


def ledger_row(con, invite_ref: str) -> dict:
    """The ledger row of INVITE_REF; UsageError if this workspace never issued it."""
    cur = db.run(con, "audit/ledger_by_ref", invite_ref=invite_ref)
    row = cur.fetchone()
    if row is None:
        raise UsageError(
            f"invitation reference {invite_ref!r} is not in this workspace's ledger (it is typed "
            "correctly: its check character matches); check the --workspace and the study"
        )
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def resolve(con, person: Person) -> Person:
    """Fill in what the ledger knows: an invite_ref gives all three identifiers,
    a practice's patient id gives the NHS number they were invited under."""
    if person.invite_ref:
        row = ledger_row(con, person.invite_ref)
        return Person(row["practice_code"], row["patient_id"], row["nhs_number"], person.invite_ref)
    if person.by_patient_id and not person.nhs_number:
        rows = db.run(
            con,
            "audit/ledger_for_person",
            practice_code=person.practice_code,
            patient_id=person.patient_id,
            nhs_number=None,
        ).fetchall()
        nhs = next((r[5] for r in reversed(rows) if r[5]), None)
        return Person(person.practice_code, person.patient_id, nhs)
    return person
