"""Cell values: dates (ISO or UK, never US order), Read v2 codes in their 7-character
form, codes kept case-sensitive and trimmed, postcodes normalised, NHS numbers
stripped and Modulus 11 checked, numbers and issue types. Each test is a table:
one patient or record per case, loaded once."""

from __future__ import annotations

from .builders import event, issue, load, load_error, patient, rows, write_practice
from .checks import assert_message


def mod11_valid(digits: str) -> bool:
    """A plain re-statement of the NHS number check, for the test's expectations."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    return {11: 0, 10: None}.get(check, check) == int(digits[9])


def by_patient(con, columns: str) -> dict:
    return {r[0]: r[1:] for r in rows(con, f"SELECT patient_id, {columns} FROM patients")}


DATES = {  # written -> read
    "2015-12-31": "2015-12-31",
    "31/12/2015": "2015-12-31",
    "1/2/2015": "2015-02-01",
    "2015-2-1": "2015-02-01",
    " 2015-12-31 ": "2015-12-31",
    "29/02/2016": "2016-02-29",
}


def test_iso_and_uk_dates(root):
    cases = list(DATES.items())
    write_practice(
        root,
        patients=[
            patient(str(i), registration_date=w, date_of_death=w) for i, (w, _) in enumerate(cases)
        ],
        events=[event(str(i), event_date=w) for i, (w, _) in enumerate(cases)],
        medications=[issue(str(i), issue_date=w) for i, (w, _) in enumerate(cases)],
    )
    con, _ = load(root)
    expected = {str(i): (read, read) for i, (_, read) in enumerate(cases)}
    assert by_patient(con, "registration_date::VARCHAR, date_of_death::VARCHAR") == expected
    assert dict(rows(con, "SELECT patient_id, event_date::VARCHAR FROM events")) == {
        k: v[0] for k, v in expected.items()
    }
    assert dict(rows(con, "SELECT patient_id, issue_date::VARCHAR FROM medications")) == {
        k: v[0] for k, v in expected.items()
    }


def test_us_order_two_digit_years_and_non_dates_are_errors(root):
    bad = [
        "12/31/2015",
        "31/12/15",
        "2015-02-30",
        "31.12.2015",
        "20151231",
        "29/02/2015",
        "yesterday",
    ]
    write_practice(
        root,
        patients=[patient("ok")]
        + [patient(str(i), registration_date=b) for i, b in enumerate(bad)],
    )
    exc = load_error(root)
    assert_message(
        exc,
        "patients.csv",
        "7 rows with a blank or unreadable registration_date (rows 3, 4, 5, 6, 7, …)",
        "write dates as YYYY-MM-DD or DD/MM/YYYY",
    )


def test_a_blank_optional_date_is_missing_but_an_unreadable_one_is_an_error(root):
    write_practice(
        root,
        patients=[
            patient("1", deregistration_date=""),
            patient("2", deregistration_date="12/31/2020"),
        ],
    )
    assert_message(
        load_error(root),
        "patients.csv",
        "1 row with a blank or unreadable deregistration_date (row 3)",
    )


def test_a_blank_required_date_is_an_error(root):
    write_practice(root, events=[event(), event(event_date=""), event(event_date=" ")])
    assert_message(
        load_error(root), "events.csv", "2 rows with a blank or unreadable event_date (rows 3, 4)"
    )


def test_read_v2_codes_in_seven_character_form_are_cut_to_five_and_others_kept(root):
    written = [
        ("readv2", "N245.00"),
        ("readv2", "16C2.11"),
        ("readv2", "N245."),
        ("snomedct", "2790390"),
        ("ctv3", "XaZ8900"),
        ("readv2", "  h33.. "),
        ("readv2", "H33.."),
        ("readv2", " 1M52.00 "),
    ]
    write_practice(root, events=[event(coding_system=s, code=c) for s, c in written])
    con, _ = load(root)
    assert [r[0] for r in rows(con, "SELECT code FROM events ORDER BY rowid")] == [
        "N245.",
        "16C2.",
        "N245.",
        "2790390",
        "XaZ8900",
        "h33..",
        "H33..",
        "1M52.",
    ]


def test_medication_codes_are_trimmed_and_keep_their_case(root):
    write_practice(
        root,
        medications=[
            issue(coding_system="bnf", code=" 0407020C0AAAEAE "),
            issue(code="42017811000001106"),
        ],
    )
    con, _ = load(root)
    assert rows(con, "SELECT coding_system, code FROM medications ORDER BY rowid") == [
        ("bnf", "0407020C0AAAEAE"),
        ("dmd", "42017811000001106"),
    ]


POSTCODES = {  # written -> (normalised, valid UK format)
    "SO16 6YD": ("SO16 6YD", True),
    "so16 6yd": ("SO16 6YD", True),
    "SO166YD": ("SO16 6YD", True),
    "  so16   6yd ": ("SO16 6YD", True),
    "w1a1aa": ("W1A 1AA", True),
    "M1 1AE": ("M1 1AE", True),
    "SO16": ("SO16", False),
    "12345": ("12 345", False),
    "": (None, False),
}


def test_postcodes_are_normalised_and_checked_without_stopping_the_run(root):
    write_practice(root, patients=[patient(str(i), postcode=w) for i, w in enumerate(POSTCODES)])
    con, _ = load(root)
    assert by_patient(con, "postcode, postcode_valid") == {
        str(i): v for i, v in enumerate(POSTCODES.values())
    }


NHS_NUMBERS = {  # written -> stored
    "943 476 5919": "9434765919",
    "9434765919": "9434765919",
    " 943  476 5919 ": "9434765919",
    "9434765918": "9434765918",
    "4010232137": "4010232137",
    "943-476-5919": "943-476-5919",
    "943476591": "943476591",
    "": None,
}


def test_nhs_numbers_lose_their_spaces_and_are_modulus_11_checked(root):
    write_practice(
        root, patients=[patient(str(i), nhs_number=w) for i, w in enumerate(NHS_NUMBERS)]
    )
    con, _ = load(root)
    expected = {
        str(i): (s, None if s is None else mod11_valid(s))
        for i, s in enumerate(NHS_NUMBERS.values())
    }
    assert by_patient(con, "nhs_number, nhs_number_valid") == expected
    assert [v for _, v in expected.values()].count(True) == 4


def test_a_check_digit_of_eleven_is_zero_and_of_ten_is_never_valid(root):
    zero = next(f"{n:09d}0" for n in range(999000000, 999001000) if mod11_valid(f"{n:09d}0"))
    ten = next(
        f"{n:09d}"
        for n in range(999000000, 999001000)
        if not any(mod11_valid(f"{n:09d}{d}") for d in range(10))
    )
    write_practice(
        root, patients=[patient("1", nhs_number=zero), patient("2", nhs_number=ten + "0")]
    )
    con, _ = load(root)
    assert by_patient(con, "nhs_number_valid") == {"1": (True,), "2": (False,)}


def test_numbers_and_issue_types(root):
    write_practice(
        root,
        events=[event(value="132.5"), event(value=""), event(value="-3")],
        medications=[
            issue(issue_type="Repeat", quantity="56"),
            issue(issue_type="", quantity=""),
            issue(issue_type="acute"),
        ],
    )
    con, _ = load(root)
    assert rows(con, "SELECT value FROM events ORDER BY rowid") == [(132.5,), (None,), (-3.0,)]
    assert rows(con, "SELECT issue_type, quantity FROM medications ORDER BY rowid") == [
        ("repeat", 56.0),
        (None, None),
        ("acute", None),
    ]


def test_text_in_a_number_column_and_an_unknown_issue_type_are_errors(root):
    write_practice(
        root,
        events=[event(value="high")],
        medications=[issue(), issue(issue_type="weekly"), issue(quantity="two")],
    )
    exc = load_error(root)
    assert_message(
        exc, "events.csv", "1 row with a value that is not a number (row 2)", "(and 2 more problems"
    )
    assert len(exc.problems) == 3
    assert_message(
        exc.problems[1],
        "medications.csv",
        "1 row with an issue_type that is not acute or repeat (row 3)",
    )
    assert_message(
        exc.problems[2], "medications.csv", "1 row with a quantity that is not a number (row 4)"
    )
