"""manifest.yaml: practice code, name and extract date are required and checked; the
rest is optional. Any problem stops the run with a message naming the manifest."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from .builders import load, load_error, manifest, rows, write_practice
from .checks import assert_message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            manifest(practice_code="A8100"),
            "practice_code 'A8100' is not an ODS code (one letter then five digits",
        ),
        (manifest(practice_code="181001"), "practice_code '181001' is not an ODS code"),
        (manifest(practice_code="a81001"), "practice_code 'a81001' is not an ODS code"),
        (
            {"practice_name": "Juniper Surgery", "extract_date": "2024-03-31"},
            "missing required key 'practice_code'",
        ),
        (
            {"practice_code": "A81001", "extract_date": "2024-03-31"},
            "missing required key 'practice_name'",
        ),
        (manifest(extract_date=""), "missing required key 'extract_date'"),
        (
            manifest(extract_date="31/31/2024"),
            "extract_date is not a date; write it as YYYY-MM-DD or DD/MM/YYYY",
        ),
        (manifest(extract_date="03/31/2024"), "extract_date is not a date"),
        (
            manifest(practice_address={"line": 1}),
            "practice_address must be a list of lines or one text block",
        ),
        ("practice_code: [A81001\n", "is not valid YAML at line 2; fix the manifest"),
        ("- A81001\n- Juniper\n", "must be a YAML mapping of keys"),
    ],
    ids=[
        "short-code",
        "digit-first",
        "lower-case",
        "no-code",
        "no-name",
        "blank-date",
        "bad-date",
        "us-date",
        "bad-address",
        "not-yaml",
        "not-mapping",
    ],
)
def test_an_invalid_manifest_is_an_error_naming_it(root, data, message):
    write_practice(root, manifest_data=data)
    assert_message(load_error(root), "A81001/manifest.yaml", message)


def test_a_manifest_with_every_key_in_its_accepted_forms(root, caplog):
    text = (
        "practice_code: ' A81001 '\npractice_name: Juniper Surgery\nclinical_system: EMIS Web\n"
        "extract_date: 31/03/2024\npractice_address: |\n  7 Juniper Row\n  Southampton\n  SO16 6YD\n"
        "contact: data.manager@example.nhs.uk\n"
    )
    write_practice(root, manifest_data=text)
    with caplog.at_level(logging.WARNING):
        con, result = load(root)
    assert rows(con, "SELECT * EXCLUDE (source_folder) FROM practices") == [
        (
            "A81001",
            "Juniper Surgery",
            "EMIS Web",
            dt.date(2024, 3, 31),
            ["7 Juniper Row", "Southampton", "SO16 6YD"],
        )
    ]
    assert result.warnings == [
        f"{root / 'A81001' / 'manifest.yaml'}: ignored unknown key(s) contact"
    ]
    assert "data.manager" not in caplog.text


def test_an_unquoted_yaml_date_and_an_address_list(root):
    text = "practice_code: A81001\npractice_name: Juniper\nextract_date: 2024-03-31\npractice_address: [7 Juniper Row, SO16 6YD]\n"
    write_practice(root, manifest_data=text)
    con, result = load(root)
    assert result.manifests[0].extract_date == dt.date(2024, 3, 31)
    assert rows(con, "SELECT clinical_system, practice_address FROM practices") == [
        (None, ["7 Juniper Row", "SO16 6YD"])
    ]


def test_sparse_tables_names_events_or_medications(root):
    write_practice(root, manifest_data=manifest(sparse_tables=["Medications"]))
    con, result = load(root)
    assert result.manifests[0].sparse_tables == ("medications",)
    assert rows(con, "SELECT practice_code, table_name FROM sparse_tables") == [
        ("A81001", "medications")
    ]


def test_sparse_tables_naming_another_table_is_an_error(root):
    write_practice(root, manifest_data=manifest(sparse_tables=["patients"]))
    assert_message(
        load_error(root),
        "manifest.yaml",
        "sparse_tables must be a list of tables from events, medications",
    )
