"""Hand-written practice extracts for loader tests: a folder from Python rows or raw text.

A table is given as a list of row dicts (written as CSV with their keys as the
header, or as Parquet), or as a string written exactly as it stands (for
broken headers, odd encodings and line endings). Rows start from a valid patient,
event or issue, so each test says only what it changes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from pipeline import db
from pipeline.errors import ExtractError
from pipeline.extract import load_extracts

# Patient-like values that must never appear in a message or a log line.
NAME, SURNAME, NHS, DOB, STREET = (
    "Zebedee",
    "Quixote-Smith",
    "943 476 5919",
    "1980-05-01",
    "7 Juniper Row",
)
SECRETS = (NAME, SURNAME, NHS, NHS.replace(" ", ""), DOB, STREET)

HEADERS = {
    "patients": "patient_id,nhs_number,title,forename,surname,date_of_birth,sex,address_line_1,postcode,registration_date",
    "events": "patient_id,event_date,coding_system,code,value",
    "medications": "patient_id,issue_date,coding_system,code,issue_type,quantity",
}


def patient(patient_id: str = "1", **values) -> dict:
    row = {
        "patient_id": patient_id,
        "nhs_number": NHS,
        "title": "Mr",
        "forename": NAME,
        "surname": SURNAME,
        "date_of_birth": DOB,
        "sex": "M",
        "address_line_1": STREET,
        "postcode": "SO16 6YD",
        "registration_date": "2010-01-01",
    }
    return row | values


def event(patient_id: str = "1", **values) -> dict:
    row = {
        "patient_id": patient_id,
        "event_date": "2023-01-01",
        "coding_system": "snomedct",
        "code": "279039007",
    }
    return row | values


def issue(patient_id: str = "1", **values) -> dict:
    row = {
        "patient_id": patient_id,
        "issue_date": "2023-01-01",
        "coding_system": "dmd",
        "code": "42017811000001106",
        "issue_type": "repeat",
    }
    return row | values


def manifest(**values) -> dict:
    return {
        "practice_code": "A81001",
        "practice_name": "Juniper Surgery",
        "extract_date": "2024-03-31",
    } | values


def csv_text(rows: list[dict], *, newline: str = "\n") -> str:
    """Rows as CSV text: the header is every key in order of first use; None or a
    missing key is a blank cell."""
    header = list(dict.fromkeys(key for row in rows for key in row))
    lines = [",".join(header)] + [",".join(_cell(r.get(c)) for c in header) for r in rows]
    return newline.join(lines) + newline


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(ch in text for ch in ',"\n') else text


def write_table(
    folder: Path,
    table: str,
    content,
    *,
    fmt: str = "csv",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
) -> Path:
    """Write one table: rows (CSV or Parquet), or a string written as it stands."""
    path = folder / f"{table}.{fmt}"
    if fmt == "parquet":
        empty = pa.table({c: pa.array([], pa.string()) for c in HEADERS[table].split(",")})
        pq.write_table(pa.Table.from_pylist(content) if content else empty, path)
        return path
    if isinstance(content, list):
        content = csv_text(content, newline=newline) if content else HEADERS[table] + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content.encode(encoding))
    return path


def write_practice(
    root: Path,
    *,
    code: str = "A81001",
    manifest_data=None,
    patients=None,
    events=None,
    medications=None,
    **options,
) -> Path:
    """A practice folder ROOT/CODE; tables default to one valid patient and no records.
    OPTIONS (fmt, encoding, bom, newline) apply to every table."""
    folder = root / code
    folder.mkdir(parents=True)
    data = manifest(practice_code=code) if manifest_data is None else manifest_data
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")
    tables = {
        "patients": [patient()] if patients is None else patients,
        "events": events or [],
        "medications": medications or [],
    }
    for table, content in tables.items():
        write_table(folder, table, content, **options)
    return folder


def load(*paths: Path):
    """Load PATHS into a fresh database; returns (connection, LoadResult)."""
    con = db.connect()
    return con, load_extracts(con, list(paths))


def load_error(*paths: Path) -> ExtractError:
    """The ExtractError loading PATHS raises (the test fails if it loads)."""
    try:
        load(*paths)
    except ExtractError as exc:
        return exc
    raise AssertionError("the extract loaded, but it should have been rejected")


def rows(con, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
