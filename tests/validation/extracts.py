"""Small hand-written practice extracts for the validation tests, written as CSV
folders the real loader reads (docs/extract-format.md)."""

from __future__ import annotations

import csv
from pathlib import Path

PATIENT_COLUMNS = (
    "patient_id", "nhs_number", "title", "forename", "surname", "date_of_birth", "sex",
    "address_line_1", "address_line_2", "address_line_3", "address_line_4", "postcode",
    "registration_date", "deregistration_date", "date_of_death",
)  # fmt: skip
EVENT_COLUMNS = ("patient_id", "event_date", "coding_system", "code", "value")
MEDICATION_COLUMNS = ("patient_id", "issue_date", "coding_system", "code", "issue_type", "quantity")


def nhs_number(i: int) -> str:
    """The i-th 10-digit number passing Modulus 11, counting up from 9430000000."""
    found, n = -1, 943_000_000
    while True:
        digits = [int(d) for d in str(n)]
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            found += 1
            if found == i:
                return f"{n}{check}"
        n += 1


def patient(i: int, **changes) -> dict:
    """Patient number I: valid, registered, alive, born 1980; CHANGES override columns."""
    row = {
        "patient_id": f"P{i:04d}", "nhs_number": nhs_number(i), "title": "Ms", "forename": "Ann",
        "surname": "Smith", "date_of_birth": "1980-06-15", "sex": "F", "address_line_1": f"{i} Mill Lane",
        "address_line_2": "Ashby", "address_line_3": "", "address_line_4": "", "postcode": "LE65 1AB",
        "registration_date": "2000-01-01", "deregistration_date": "", "date_of_death": "",
    }  # fmt: skip
    return row | changes


def event(i: int, **changes) -> dict:
    row = {"patient_id": f"P{i:04d}", "event_date": "2023-01-10", "coding_system": "snomedct",
           "code": "279039007", "value": ""}  # fmt: skip
    return row | changes


def medication(i: int, **changes) -> dict:
    row = {"patient_id": f"P{i:04d}", "issue_date": "2023-02-01", "coding_system": "dmd",
           "code": "42017811000001106", "issue_type": "repeat", "quantity": "28"}  # fmt: skip
    return row | changes


def write_extract(
    folder: Path,
    *,
    patients: list[dict],
    events: list[dict] = (),
    medications: list[dict] = (),
    practice_code: str = "A81001",
    extract_date: str = "2024-05-01",
    patient_columns: tuple[str, ...] = PATIENT_COLUMNS,
    manifest_extra: str = "",
) -> Path:
    """Write one practice folder (manifest and three CSVs) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text(
        f"practice_code: {practice_code}\npractice_name: Ashby Road Surgery\nextract_date: {extract_date}\n{manifest_extra}",
        encoding="utf-8",
    )
    _csv(folder / "patients.csv", patient_columns, patients)
    _csv(folder / "events.csv", EVENT_COLUMNS, list(events))
    _csv(folder / "medications.csv", MEDICATION_COLUMNS, list(medications))
    return folder


def _csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
