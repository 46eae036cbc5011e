"""Practice extract folders on disk, for tests that go through the loader."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

PATIENT = {
    "nhs_number": "",
    "title": "Ms",
    "forename": "Test",
    "surname": "Patient",
    "date_of_birth": "1980-06-15",
    "sex": "F",
    "address_line_1": "1 High Street",
    "postcode": "so16 6yd",
    "registration_date": "2000-01-01",
}


def write_csv(path: Path, rows: list[dict], header: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def write_practice(
    folder: Path,
    *,
    practice_code: str,
    extract_date: dt.date,
    patients: list[str],
    events: list[tuple] = (),
    medications: list[tuple[str, dt.date, str, str]] = (),
) -> Path:
    """A practice folder: PATIENTS are ids (default details) or dicts over PATIENT
    with a patient_id; EVENTS are (patient_id, date, coding_system, code[, value])
    and MEDICATIONS (patient_id, issue_date, coding_system, code)."""
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(
        f"practice_code: {practice_code}\npractice_name: Test Surgery\nextract_date: {extract_date}\n"
    )
    write_csv(
        folder / "patients.csv",
        [{**PATIENT, **(p if isinstance(p, dict) else {"patient_id": p})} for p in patients],
        ["patient_id", *PATIENT],
    )
    keys = ("patient_id", "event_date", "coding_system", "code", "value")
    keys = keys if any(len(e) == 5 for e in events) else keys[:4]
    rows = [dict(zip(keys, (*e, "")[: len(keys)], strict=True)) for e in events]
    write_csv(folder / "events.csv", rows, list(keys))
    keys = ("patient_id", "issue_date", "coding_system", "code")
    write_csv(
        folder / "medications.csv",
        [dict(zip(keys, m, strict=True)) for m in medications],
        list(keys),
    )
    return folder
