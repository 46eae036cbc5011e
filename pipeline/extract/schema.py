"""The practice extract contract as data (docs/extract-format.md).

Each table lists its columns: name, whether the column must be present, and
its kind, which decides how the loader's SQL normalises it. The loader builds
its SELECT lists only from these names.
"""

from __future__ import annotations

from dataclasses import dataclass

CODING_SYSTEMS_EVENTS = ("readv2", "ctv3", "snomedct")
CODING_SYSTEMS_MEDS = ("dmd", "bnf")
SEXES = ("M", "F", "I", "U")
ISSUE_TYPES = ("acute", "repeat")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    kind: str  # text | date | code | system | sex | number | nhs | postcode | issue_type
    value_required: bool = False  # a blank cell is a structural error


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    date_column: str | None  # the column compared with extract_date

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, kind: str = "text", required: bool = False, value_required: bool | None = None):
    vr = required if value_required is None else value_required
    return Column(name=name, required=required, kind=kind, value_required=vr)


PATIENTS = Table(
    name="patients",
    columns=(
        _c("patient_id", required=True),
        _c("nhs_number", "nhs"),
        _c("title", required=True, value_required=False),
        _c("forename", required=True, value_required=False),
        _c("surname", required=True, value_required=False),
        _c("date_of_birth", "date", required=True),
        _c("sex", "sex", required=True),
        _c("address_line_1", required=True, value_required=False),
        _c("address_line_2"),
        _c("address_line_3"),
        _c("address_line_4"),
        _c("postcode", "postcode", required=True, value_required=False),
        _c("registration_date", "date", required=True),
        _c("deregistration_date", "date"),
        _c("date_of_death", "date"),
    ),
    date_column=None,
)

EVENTS = Table(
    name="events",
    columns=(
        _c("patient_id", required=True),
        _c("event_date", "date", required=True),
        _c("coding_system", "system", required=True),
        _c("code", "code", required=True),
        _c("value", "number"),
    ),
    date_column="event_date",
)

MEDICATIONS = Table(
    name="medications",
    columns=(
        _c("patient_id", required=True),
        _c("issue_date", "date", required=True),
        _c("coding_system", "system", required=True),
        _c("code", "code", required=True),
        _c("issue_type", "issue_type"),
        _c("quantity", "number"),
    ),
    date_column="issue_date",
)

TABLES = (PATIENTS, EVENTS, MEDICATIONS)
ALLOWED_SYSTEMS = {"events": CODING_SYSTEMS_EVENTS, "medications": CODING_SYSTEMS_MEDS}
