"""The Word mail-merge letter, ``templates/mailmerge_letter.docx``, built from code.

Its merge fields are columns of ``mailmerge.csv``/``mailmerge.xlsx``
(``address`` is the address as one block, blank lines left out), so Word's
*Mailings → Select Recipients → Use an Existing List* with a practice's
``mailmerge.xlsx`` fills every field. Its words are InStep's letter defaults.
Rebuild it after changing them:

    python -m pipeline.invitations.docx_template templates/mailmerge_letter.docx
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.invitations.letter_text import LetterText
from pipeline.invitations.wording import LABELS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STAMP = (2026, 1, 1, 0, 0, 0)  # fixed zip times: the same words give the same bytes
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>
</Relationships>"""
SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{W}"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/></w:settings>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>
<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:sz w:val="24"/><w:szCs w:val="24"/>
<w:lang w:val="en-GB"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="120"/></w:pPr></w:pPrDefault></w:docDefaults>
</w:styles>"""


def field(name: str) -> str:
    """A MERGEFIELD showing «name» until merged."""
    return (
        f'<w:fldSimple w:instr=" MERGEFIELD {name} \\* MERGEFORMAT ">'
        f"<w:r><w:t>\u00ab{name}\u00bb</w:t></w:r></w:fldSimple>"
    )


def run(text: str, *, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*parts: str, align: str | None = None) -> str:
    props = f'<w:pPr><w:jc w:val="{align}"/></w:pPr>' if align else ""
    return f"<w:p>{props}{''.join(parts)}</w:p>"


def body() -> str:
    """The letter: letterhead, address block, date, reference, InStep's words, reply details."""
    t, text = LABELS["en"], LetterText()
    head = [para(field(f"practice_address_{i}"), align="right") for i in range(1, 6)]
    questions = [para(run(f"{i}. {q}")) for i, q in enumerate(text.eligibility_questions, 1)]
    words = [para(run(p)) for p in (text.purpose, text.record_note)]
    return "".join(
        [
            para(field("practice_name"), align="right"),
            *head,
            para(run(f"{t['telephone']}: "), field("practice_telephone"), align="right"),
            para(run(f"{t['email']}: "), field("practice_email"), align="right"),
            para(field("addressee")),
            para(field("address")),
            para(field("letter_date"), align="right"),
            para(run(f"{t['your_reference']}: "), field("invite_ref"), align="right"),
            para(run(f"{t['dear']} "), field("salutation"), run(",")),
            para(run(text.subject, bold=True)),
            *words,
            para(run(t["may_be_for_you"])),
            *questions,
            para(run(text.not_for_you)),
            para(
                run(f"{t['reply']} "),
                field("reply_by"),
                run(". "),
                run(t["give_reference"] + " "),
                field("invite_ref"),
                run(". " + t["nurse_will_call"]),
            ),  # fmt: skip
            *[para(run(p)) for p in (text.information_sheet, text.reassurance, text.opt_out)],
            para(run(text.ethics)),
            para(run(t["yours"])),
            para(run("The doctors and staff at "), field("practice_name")),
        ]
    )


def document_xml() -> str:
    section = (
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" '
        'w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>{body()}{section}</w:body></w:document>'
    )


def build(path: Path) -> Path:
    """Write the template to PATH."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "word/_rels/document.xml.rels": DOC_RELS,
        "word/styles.xml": STYLES,
        "word/settings.xml": SETTINGS,
        "word/document.xml": document_xml(),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=STAMP), text)
    return path


if __name__ == "__main__":
    build(Path(sys.argv[1]))
