"""The header row: column names in any case and order; unknown columns warned about
and ignored; a missing required column, a repeated one or no header is an error;
a row that does not match the header names its line."""

from __future__ import annotations

import logging

from .builders import event, load, load_error, patient, rows, write_practice, write_table
from .checks import assert_message


def test_column_names_in_any_case_and_order(root):
    folder = write_practice(root)
    write_table(
        folder,
        "patients",
        "Postcode,SEX,Date_Of_Birth,Registration_Date,Surname,Forename,Title,Address_Line_1,NHS_Number,Patient_ID\n"
        "so16 6yd,F,1975-02-03,2001-04-05,Quixote-Smith,Zebedee,Ms,7 Juniper Row,,P7\n",
    )
    write_table(
        folder,
        "events",
        "CODE,Event_Date,patient_id,Coding_System\n279039007,2023-01-01,P7,snomedct\n",
    )
    con, _ = load(root)
    assert rows(
        con, "SELECT patient_id, sex, date_of_birth::VARCHAR, postcode, nhs_number FROM patients"
    ) == [("P7", "F", "1975-02-03", "SO16 6YD", None)]
    assert rows(con, "SELECT patient_id, code FROM events") == [("P7", "279039007")]


def test_unknown_extra_columns_are_ignored_with_a_warning(root, caplog):
    write_practice(root, patients=[patient(ethnicity="A", Mobile="07700 900123")])
    with caplog.at_level(logging.WARNING):
        con, result = load(root)
    assert rows(con, "SELECT count(*) FROM patients") == [(1,)]
    assert len(result.warnings) == 1
    assert_message(
        result.warnings[0], "patients.csv", "ignored unknown column(s) ethnicity, mobile"
    )
    assert any(
        "ignored unknown column(s) ethnicity, mobile" in r.getMessage() for r in caplog.records
    )
    assert all("07700" not in r.getMessage() for r in caplog.records)


def test_optional_columns_may_be_left_out(root):
    write_practice(
        root,
        events=[
            {
                "patient_id": "1",
                "event_date": "2023-01-01",
                "coding_system": "readv2",
                "code": "N245.",
            }
        ],
    )
    con, _ = load(root)
    assert rows(con, "SELECT address_line_2, deregistration_date, date_of_death FROM patients") == [
        (None, None, None)
    ]
    assert rows(con, "SELECT code, value FROM events") == [("N245.", None)]


def test_a_missing_required_column_is_an_error_naming_it(root):
    row = patient()
    del row["postcode"]
    write_practice(root, patients=[row])
    assert_message(
        load_error(root),
        "patients.csv",
        "missing required column postcode",
        "the patients file needs",
    )


def test_several_missing_required_columns_are_all_named(root):
    write_practice(root, events=[{"patient_id": "1", "date": "2023-01-01", "system": "snomedct"}])
    assert_message(
        load_error(root), "events.csv", "missing required columns event_date, coding_system, code"
    )


def test_a_column_named_twice_is_an_error(root):
    folder = write_practice(root)
    write_table(
        folder,
        "events",
        "patient_id,event_date,coding_system,code,Code\n1,2023-01-01,snomedct,1,2\n",
    )
    assert_message(load_error(root), "events.csv", "column 'code' appears twice in the header")


def test_an_empty_file_is_an_error(root):
    folder = write_practice(root)
    write_table(folder, "medications", "")
    assert_message(load_error(root), "medications.csv", "is empty or has no header row")


def test_a_row_with_too_many_fields_names_its_line_not_its_contents(root):
    folder = write_practice(root)
    write_table(
        folder,
        "events",
        "patient_id,event_date,coding_system,code\n1,2023-01-01,snomedct,1\n1,2023-01-01,snomedct,Zebedee,x\n",
    )
    assert_message(
        load_error(root), "events.csv", "line 3 could not be read", "Expected Number of Columns"
    )


def test_an_unterminated_quote_names_its_line_not_its_contents(root):
    folder = write_practice(root)
    write_table(
        folder,
        "patients",
        "patient_id,nhs_number,title,forename,surname,date_of_birth,sex,address_line_1,postcode,registration_date\n"
        '1,,Mr,"Zebedee,Quixote-Smith,1980-05-01,M,7 Juniper Row,SO16 6YD,2010-01-01\n',
    )
    assert_message(
        load_error(root), "patients.csv", "line 2 could not be read", "unterminated quote"
    )


def test_quoted_cells_may_hold_commas(root):
    write_practice(
        root, patients=[patient(address_line_1="Flat 2, 7 Juniper Row")], events=[event()]
    )
    con, _ = load(root)
    assert rows(con, "SELECT address_line_1 FROM patients") == [("Flat 2, 7 Juniper Row",)]


def test_unnamed_columns_from_trailing_commas_are_ignored_with_a_warning(root):
    folder = write_practice(root)
    write_table(
        folder,
        "events",
        "patient_id,event_date,coding_system,code,,\n1,2023-01-01,snomedct,279039007,,\n",
    )
    con, result = load(root)
    assert rows(con, "SELECT code FROM events") == [("279039007",)]
    assert_message(
        result.warnings[0],
        "events.csv",
        "ignored unknown column(s) (unnamed column 5), (unnamed column 6)",
    )
