"""mailmerge.xlsx, nurse_list.xlsx and the Word template, opened the way Excel and Word open them."""

from __future__ import annotations

import datetime as dt
import stat
import xml.etree.ElementTree as ET
from zipfile import ZipFile

import pytest
from mailmerge import MailMerge
from openpyxl import load_workbook

from pipeline.invitations import select_invitations, write_outputs
from pipeline.invitations.render_jobs import DOCX_TEMPLATE

from .builders import RunDB
from .conftest import LETTER_DATE, REPLY_BY, study


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    r = RunDB()
    r.add("A81001", "00017024", forename="Zoë", surname="Åberg", nhs_number="9434765919",
          date_of_birth=dt.date(1961, 3, 4), postcode="LE65 1AB")  # fmt: skip
    r.add(
        "A81001",
        "0012",
        forename="=1+2",
        surname="Smith",
        address=("1 Oak Road", None, "", "Ashby"),
    )
    r.add("B82002", "123456789012", forename="Seán", surname="Ó Briain")
    con = r.build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    out = tmp_path_factory.mktemp("xlsx")
    write_outputs(con, out, study=study(), letter_date=LETTER_DATE, reply_by=REPLY_BY)
    return out


def sheet_rows(path):
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def test_identifiers_are_text_cells_and_unchanged(stage):
    header, rows = sheet_rows(stage / "mailmerge.xlsx")
    zoe = next(r for r in rows if r["patient_id"].value == "00017024")
    for column, expected in (
        ("patient_id", "00017024"),
        ("nhs_number", "943 476 5919"),
        ("postcode", "LE65 1AB"),
        ("invite_ref", zoe["invite_ref"].value),
    ):
        cell = zoe[column]
        assert cell.value == expected and cell.data_type == "s", column
        assert cell.number_format == "@", column  # stays text when someone edits it
    long_id = next(r for r in rows if r["forename"].value == "Seán")["patient_id"]
    assert long_id.value == "123456789012" and long_id.data_type == "s"


def test_xlsx_keeps_formula_like_text_as_text(stage):
    _, rows = sheet_rows(stage / "practices" / "A81001" / "mailmerge.xlsx")
    risky = next(r for r in rows if r["patient_id"].value == "0012")
    assert risky["forename"].value == "=1+2" and risky["forename"].data_type == "s"
    assert risky["address"].value == "1 Oak Road\nAshby\nLE65 1AB"


def test_nurse_list_xlsx_has_date_of_birth_and_postcode_as_text(stage):
    header, rows = sheet_rows(stage / "nurse_list.xlsx")
    assert "nhs_number" not in header and "address_line_1" not in header
    zoe = next(r for r in rows if r["surname"].value == "Åberg")
    assert zoe["date_of_birth"].value == "04/03/1961" and zoe["date_of_birth"].data_type == "s"
    assert zoe["postcode"].value == "LE65 1AB"


def test_workbooks_and_template_are_owner_only(stage):
    for path in [*stage.rglob("*.xlsx"), *stage.rglob("*.docx")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (stage / "practices" / "B82002" / "mailmerge_letter.docx").is_file()


def test_every_template_field_is_a_mailmerge_column(stage):
    header, _ = sheet_rows(stage / "mailmerge.xlsx")
    fields = MailMerge(str(DOCX_TEMPLATE)).get_merge_fields()
    assert {"addressee", "address", "salutation", "invite_ref", "reply_by"} <= fields
    assert fields <= set(header)


def test_word_merge_of_the_template_with_a_practices_list(stage, tmp_path):
    """A real merge (docx-mailmerge2, as Word's mail merge does): one letter's fields filled."""
    header, rows = sheet_rows(stage / "practices" / "A81001" / "mailmerge.xlsx")
    records = [{k: (c.value or "") for k, c in row.items()} for row in rows]
    folder = stage / "practices" / "A81001"
    with MailMerge(str(folder / "mailmerge_letter.docx")) as doc:
        doc.merge_templates(records, separator="page_break")
        doc.write(str(tmp_path / "merged.docx"))
    xml = ZipFile(tmp_path / "merged.docx").read("word/document.xml").decode()
    assert "MERGEFIELD" not in xml  # every field was filled
    text = paragraphs(xml)
    zoe = next(r for r in records if r["patient_id"] == "00017024")
    first = text[: text.index("Dear Ms Åberg,") + 1]  # Zoë's letter comes first (sorted by surname)
    assert first[0] == "Ashby Road Surgery"
    assert "Ms Zoë Åberg" in first
    assert "2 Mill Lane\nAshby\nLE65 1AB" in first
    assert f"Your reference: {zoe['invite_ref']}" in first and "3 May 2024" in first
    assert any(
        f"by 24 May 2024. Please give your reference {zoe['invite_ref']}." in p for p in text
    )
    # Smith's address block: one line each, the blank lines left out (Word line breaks, <w:cr/>)
    assert "1 Oak Road\nAshby\nLE65 1AB" in text


def paragraphs(xml: str) -> list[str]:
    """Each paragraph's text as Word shows it, a line break as a newline."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    out = []
    for p in ET.fromstring(xml.encode()).iter(f"{w}p"):
        parts = [
            (e.text or "") if e.tag == f"{w}t" else "\n"
            for e in p.iter()
            if e.tag in (f"{w}t", f"{w}br", f"{w}cr")
        ]
        out.append("".join(parts))
    return out


def test_write_xlsx_cells_as_excel_reads_them(tmp_path):
    """The workbook writer itself: every cell text with format @ (blanks too), leading zeros
    and formula-like text kept, multi-line text wrapped, header bold and frozen, a control
    character written as Excel's _xHHHH_ escape instead of breaking the file."""
    from pipeline.invitations.spreadsheets import write_xlsx

    path = write_xlsx(
        tmp_path / "list.xlsx",
        ["patient_id", "forename", "address", "date"],
        [
            ("00017024", '=HYPERLINK("x")', "1 Oak Road\nAshby", dt.date(2024, 5, 3)),
            ("0012", "\x0bAnn", None, ""),
        ],
        sheet="mailmerge",
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    book = load_workbook(path)
    ws = book.active
    assert ws.title == "mailmerge" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["patient_id", "forename", "address", "date"]
    assert all(c.font.b for c in ws[1])
    first, second = ws[2], ws[3]
    assert [c.value for c in first] == [
        "00017024",
        '=HYPERLINK("x")',
        "1 Oak Road\nAshby",
        "2024-05-03",
    ]
    assert all(c.data_type == "s" and c.number_format == "@" for c in first)
    assert first[2].alignment.wrap_text and not first[0].alignment.wrap_text
    assert second[0].value == "0012" and second[1].value == "_x000B_Ann"
    assert second[2].value is None and second[3].value is None
    assert second[2].number_format == "@" and second[3].number_format == "@"
    assert ws.column_dimensions["C"].width < 14  # the longest line, not the whole address
    assert not list(tmp_path.glob(".*")) and not list(tmp_path.glob("tmp*"))  # no temp files left
