"""manifest.yaml: which practice an extract folder holds and when it was taken."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import yamlsafe
from pipeline.errors import ExtractError

ODS_CODE = re.compile(r"[A-Z][0-9]{5}")
KNOWN_KEYS = {
    "practice_code",
    "practice_name",
    "clinical_system",
    "extract_date",
    "practice_address",
    "sparse_tables",
    "practice_telephone",
    "practice_email",
    "letter_language",
}
# Tables a practice may declare empty or sparse (manifest key sparse_tables).
SPARSE_TABLES = ("events", "medications")
# letter_language: which letter a practice sends (docs/extract-format.md).
LETTER_LANGUAGES = ("english", "welsh-english")


@dataclass(frozen=True)
class Manifest:
    practice_code: str
    practice_name: str
    extract_date: dt.date
    clinical_system: str | None
    practice_address: tuple[str, ...]
    folder: Path
    unknown_keys: tuple[str, ...] = ()
    sparse_tables: tuple[str, ...] = ()
    practice_telephone: str | None = None
    practice_email: str | None = None
    letter_language: str = "english"


def parse_date(value: object) -> dt.date | None:
    """An ISO (YYYY-MM-DD) or UK (DD/MM/YYYY) date, or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _fail(path: Path, what: str) -> ExtractError:
    return ExtractError(f"{path}: {what}")


def _read_yaml(path: Path, raw: bytes | None = None) -> dict:
    try:
        text = (raw if raw is not None else path.read_bytes()).decode("utf-8-sig")
        data = yamlsafe.safe_load(text)
    except UnicodeDecodeError as exc:
        raise _fail(path, f"not UTF-8 at byte {exc.start}; save the manifest as UTF-8") from None
    except yamlsafe.UnsafeYaml as exc:
        raise _fail(path, f"{yamlsafe.describe(exc)} (in the manifest)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise _fail(path, f"is not valid YAML{where}; fix the manifest") from None
    if not isinstance(data, dict):
        raise _fail(
            path, "must be a YAML mapping of keys (practice_code, practice_name, extract_date)"
        )
    return data


def _address(path: Path, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise _fail(path, "practice_address must be a list of lines or one text block")


def _sparse_tables(path: Path, value: object) -> tuple[str, ...]:
    """sparse_tables: the tables this extract is known to have few or no rows in."""
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(
        isinstance(n, str) and n.strip().lower() in SPARSE_TABLES for n in names
    ):
        raise _fail(
            path,
            "sparse_tables must be a list of tables from events, medications "
            "(those this extract is known to hold few or no rows of)",
        )
    return tuple(dict.fromkeys(n.strip().lower() for n in names))


def _optional_text(path: Path, data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None or str(value).strip() == "":
        return None
    if not isinstance(value, str | int):
        raise _fail(path, f"{key} must be one line of text")
    return " ".join(str(value).split())


def _language(path: Path, value: object) -> str:
    if value is None:
        return LETTER_LANGUAGES[0]
    text = str(value).strip().lower()
    if text not in LETTER_LANGUAGES:
        raise _fail(
            path,
            f"letter_language '{value}' is not one of {', '.join(LETTER_LANGUAGES)}; fix the manifest",
        )
    return text


def read_manifest(folder: Path, *, raw: bytes | None = None) -> Manifest:
    """Read and check FOLDER/manifest.yaml (RAW: its bytes, read elsewhere, e.g. from a URI)."""
    path = folder / "manifest.yaml"
    data = _read_yaml(path, raw)
    for key in ("practice_code", "practice_name", "extract_date"):
        if data.get(key) in (None, ""):
            raise _fail(path, f"missing required key '{key}'")
    code = str(data["practice_code"]).strip()
    if not ODS_CODE.fullmatch(code):
        raise _fail(
            path,
            f"practice_code '{code}' is not an ODS code (one letter then five digits, e.g. J82001)",
        )
    extract_date = parse_date(data["extract_date"])
    if extract_date is None:
        raise _fail(path, "extract_date is not a date; write it as YYYY-MM-DD or DD/MM/YYYY")
    system = data.get("clinical_system")
    return Manifest(
        practice_code=code,
        practice_name=str(data["practice_name"]).strip(),
        extract_date=extract_date,
        clinical_system=None if system is None else str(system).strip(),
        practice_address=_address(path, data.get("practice_address")),
        folder=folder,
        unknown_keys=tuple(sorted(set(data) - KNOWN_KEYS)),
        sparse_tables=_sparse_tables(path, data.get("sparse_tables")),
        practice_telephone=_optional_text(path, data, "practice_telephone"),
        practice_email=_optional_text(path, data, "practice_email"),
        letter_language=_language(path, data.get("letter_language")),
    )
