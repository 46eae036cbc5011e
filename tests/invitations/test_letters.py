"""Letter packs: awkward names print as text, one A4 page per letter, overrides, PDF."""

from __future__ import annotations

import logging
import re
import shutil
import stat
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import weasyprint

from pipeline.errors import StudyError, UsageError
from pipeline.invitations import pdf, select_invitations, write_outputs

from .builders import RunDB
from .conftest import LETTER_DATE, REPLY_BY, study

LONG_LINE = (
    "Flat 12, The Extraordinarily Long Named Building Of Very Many Words Indeed, Upper Floor"
)
WELSH = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"


class Texts(HTMLParser):
    """Text inside each element carrying a CSS class, keyed by class."""

    def __init__(self, html: str):
        super().__init__()
        self.open: list[tuple[str, list[str]]] = []
        self.found: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta"):
            return
        classes = (dict(attrs).get("class") or "").split()
        self.open.append((tag, classes))
        for cls in classes:
            self.found.setdefault(cls, []).append("")

    def handle_endtag(self, tag):
        self.open.pop()

    def handle_data(self, data):
        for _, classes in self.open:
            for cls in classes:
                self.found[cls][-1] += data

    def lines(self, cls: str) -> list[str]:
        return [" ".join(t.split()) for t in self.found.get(cls, [])]


def awkward() -> RunDB:
    r = RunDB()
    r.add("A81001", "p1", title="Mr", forename="Seán", surname="O'Brien-Ní Dhomhnaill")
    r.add("A81001", "p2", title=None, forename="<b>Bold</b>", surname="<script>alert(1)</script>")
    r.add(
        "A81001",
        "p3",
        forename="Zoë",
        surname="Åberg",
        address=(LONG_LINE, WELSH, "Ynys Môn", "Wales"),
    )
    r.add("B82002", "b1", forename="Ann", surname="Smith & Sons")
    return r


def render(tmp_path, r: RunDB, pdf_mode="never", **letter):
    con = r.build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    write_outputs(
        con,
        tmp_path / "stage",
        study=study(**letter),
        letter_date=LETTER_DATE,
        reply_by=REPLY_BY,
        pdf_mode=pdf_mode,
    )
    return {
        code: (tmp_path / "stage" / "practices" / code / "letters.html").read_text()
        for code in ("A81001", "B82002")
    }


@pytest.fixture
def packs(tmp_path, no_chromium):
    return render(tmp_path, awkward())


def test_one_letter_section_per_invitee_each_on_a_new_right_hand_a4_page(packs):
    html = packs["A81001"]
    assert html.count('<section class="letter"') == 3
    assert "@page { size: A4;" in html
    assert "break-before: right" in html
    assert re.search(r"body \{[^}]*font-size: 12pt", html)


def test_names_are_printed_as_text_never_as_markup(packs):
    html = packs["A81001"]
    assert "<b>Bold" not in html and "<script>alert" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Smith &amp; Sons" in packs["B82002"]
    windows = Texts(html).lines("window")
    assert "<b>Bold</b> <script>alert(1)</script>" in " | ".join(windows)


def test_apostrophes_and_accents_survive(packs):
    texts = Texts(packs["A81001"])
    assert any(
        w.startswith("Mr Seán O'Brien-Ní Dhomhnaill 2 Mill Lane") for w in texts.lines("window")
    )
    assert any(
        b.startswith("Dear Mr O'Brien-Ní Dhomhnaill, An invitation") for b in texts.lines("body")
    )
    assert '<meta charset="utf-8">' in packs["A81001"]


def test_a_long_address_is_kept_whole_in_smaller_type(packs):
    html = packs["A81001"]
    window = next(w for w in Texts(html).lines("window") if "Zoë" in w)
    assert window == f"Ms Zoë Åberg {LONG_LINE} {WELSH} Ynys Môn Wales LE65 1AB"
    assert re.search(r'class="window tiny">\s*<div>Ms Zoë Åberg</div>', html)
    assert re.search(r'class="window normal">\s*<div>Mr Seán', html)


def test_letterhead_reference_and_reply_slip(packs):
    html = packs["B82002"]
    texts = Texts(html)
    assert texts.lines("letterhead") == ["Bramley Health Centre Town Street Bramley LS13 2XX"]
    ref = re.search(r'data-ref="([^"]+)"', html).group(1)
    slip = texts.lines("slip")[0]
    assert f"Reference: {ref}" in slip
    assert "Name: Ms Ann Smith & Sons" in slip and "24 May 2024" in slip
    assert texts.lines("meta") == [f"3 May 2024 Your reference: {ref}"]


def test_default_words_ask_what_the_record_cannot_show(packs):
    body = " ".join(Texts(packs["B82002"]).lines("body"))
    assert "InStep" in body
    assert (
        "out of paid work" in body and "still have it" in body and "Would you like to work?" in body
    )
    assert "If you are in paid work, or your pain has gone, this study is not for you" in body


def test_pack_is_self_contained(packs):
    for html in packs.values():
        for outside in ("http:", "https:", "src=", "<link", "@import", "url(", "<script"):
            assert outside not in html


def test_study_words_replace_the_defaults_and_are_escaped(tmp_path, no_chromium):
    packs = render(
        tmp_path,
        awkward(),
        subject="Help with <work>",
        eligibility_questions=["Are you out of work?", "Is the pain still there?"],
        contact_phone="0113 496 0000",
        reply_address=["Research Office", "LS2 9JT"],
    )
    html = packs["B82002"]
    assert "Help with &lt;work&gt;" in html
    assert html.count("Is the pain still there?") == 2  # in the letter and on the slip
    assert "0113 496 0000" in html and "Research Office, LS2 9JT" in html


def test_an_unknown_letter_key_is_a_one_line_study_error(tmp_path, no_chromium):
    with pytest.raises(
        StudyError, match=r"letter\.subjekt: unknown key; the letter keys are subject,"
    ):
        render(tmp_path, awkward(), subjekt="typo")
    with pytest.raises(
        StudyError, match=r"letter\.eligibility_questions: must be a list of text lines"
    ):
        render(tmp_path, awkward(), eligibility_questions="one string")


def custom_study(tmp_path, **letter):
    source = tmp_path / "studies" / "mine.yaml"
    source.parent.mkdir()
    source.write_text("name: mine\n")
    s = study(**letter)
    s.source = str(source)
    return s, source.parent


def write_with(tmp_path, s):
    con = awkward().build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    write_outputs(con, tmp_path / "stage", study=s, letter_date=LETTER_DATE, reply_by=REPLY_BY)
    return {
        code: (tmp_path / "stage" / "practices" / code / "letters.html").read_text()
        for code in ("A81001", "B82002")
    }


def test_a_practice_template_beside_the_study_overrides_that_practice_only(tmp_path, no_chromium):
    s, folder = custom_study(tmp_path)
    practice = folder / "templates" / "practices" / "B82002"
    practice.mkdir(parents=True)
    (practice / "letter.html.j2").write_text(
        '<section class="letter">Bramley: {{ letter.forename }}</section>'
    )
    packs = write_with(tmp_path, s)
    assert "Bramley: Ann" in packs["B82002"] and "Reply slip" not in packs["B82002"]
    assert "Reply slip" in packs["A81001"]


def test_the_study_letter_template_replaces_the_default_letter(tmp_path, no_chromium):
    s, folder = custom_study(tmp_path, template="letters/short.html.j2")
    (folder / "letters").mkdir()
    (folder / "letters" / "short.html.j2").write_text(
        '<section class="letter">Short {{ letter.surname }}</section>'
    )
    packs = write_with(tmp_path, s)
    assert "Short Smith &amp; Sons" in packs["B82002"]
    assert "@page { size: A4" in packs["B82002"]  # the pack around it is still the default


def test_a_broken_template_names_the_file_and_line(tmp_path, no_chromium):
    s, folder = custom_study(tmp_path, template="bad.html.j2")
    (folder / "bad.html.j2").write_text("<p>\n{% if %}</p>")
    with pytest.raises(StudyError, match=r"bad\.html\.j2 line 2: .*; fix the template"):
        write_with(tmp_path, s)


def test_a_template_naming_a_field_no_letter_has_is_a_study_error(tmp_path, no_chromium):
    """Letters and labels are read as attributes (letters.Fields); a name that is neither
    still stops the run with the practice named, as for a plain dict."""
    s, folder = custom_study(tmp_path, template="typo.html.j2")
    (folder / "typo.html.j2").write_text(
        '<section class="letter">{{ letter.surname }} {{ t.dear }} {{ letter.surnmae }}</section>'
    )
    with pytest.raises(StudyError, match=r"letter template for practice \w+: .*surnmae"):
        write_with(tmp_path, s)


def test_a_missing_study_template_is_a_study_error(tmp_path, no_chromium):
    s, _ = custom_study(tmp_path, template="nowhere.html.j2")
    with pytest.raises(StudyError, match=r"letter\.template: nowhere\.html\.j2 does not exist"):
        write_with(tmp_path, s)


def test_pdf_never_writes_html_letters_only(tmp_path):
    render(tmp_path, awkward(), pdf_mode="never")
    assert not list((tmp_path / "stage").rglob("*.pdf"))
    assert (tmp_path / "stage" / "practices" / "A81001" / "letters_large_print.html").is_file()


def test_without_pango_or_chromium_pdfs_stop_the_run_with_one_line(
    tmp_path, no_chromium, monkeypatch
):
    monkeypatch.setattr(
        pdf, "weasyprint_problem", lambda: "WeasyPrint cannot load (OSError: no pango)"
    )
    with pytest.raises(UsageError) as caught:
        render(tmp_path, awkward(), pdf_mode="auto")
    message = caught.value.message
    assert (
        "\n" not in message and "apt-get install libpango" in message and "--pdf never" in message
    )
    assert not (tmp_path / "stage").exists()  # stopped before writing anything


def pdf_pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


MM = 25.4 / 96  # CSS pixels to millimetres


def test_weasyprint_pdf_two_a4_pages_per_letter_large_print_too(tmp_path, no_chromium):
    """Each letter starts on a right-hand page, so a double-sided print splits into letters."""
    render(tmp_path, awkward(), pdf_mode="always")
    for code, letters in (("A81001", 3), ("B82002", 1)):
        for pack in ("letters", "letters_large_print"):
            made = tmp_path / "stage" / "practices" / code / f"{pack}.pdf"
            assert made.read_bytes().startswith(b"%PDF"), made
            assert stat.S_IMODE(made.stat().st_mode) == 0o600
            pages = weasyprint.HTML(filename=str(made.with_suffix(".html"))).render().pages
            assert len(pages) == 2 * letters, made
            assert {(round(p.width * MM), round(p.height * MM)) for p in pages} == {(210, 297)}
    assert not list((tmp_path / "stage").rglob(".*.tmp"))


@pytest.mark.pdf
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium)"
)
def test_chromium_prints_where_it_is_installed(tmp_path, monkeypatch):
    # Other areas' session fixtures switch PDFs off in this worker; look Chromium up for real.
    monkeypatch.setattr("pipeline.invitations.pdf.chromium", lambda: shutil.which("chromium"))
    assert pdf.renderer("auto") == "chromium"  # measured faster (docs/invitations.md)
    render(tmp_path, awkward(), pdf_mode="auto")
    made = tmp_path / "stage" / "practices" / "B82002" / "letters.pdf"
    assert made.read_bytes().startswith(b"%PDF") and pdf_pages(made) >= 1
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert not list((tmp_path / "stage").rglob(".chromium-*"))


def running(pid: int) -> bool:
    """PID is alive and not a zombie waiting to be reaped."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_hung_chromium_is_killed_with_its_helpers_and_reported(tmp_path, caplog):
    fake = tmp_path / "chromium"
    pidfile = tmp_path / "helper.pid"
    fake.write_text(f"#!/bin/sh\nsleep 30 &\necho $! > {pidfile}\nsleep 30\n")
    fake.chmod(0o700)
    html = tmp_path / "letters.html"
    html.write_text("<p>x</p>")
    with caplog.at_level(logging.WARNING):
        # 3 s: long enough for the fake to start its helper on a loaded machine
        assert not pdf.html_to_pdf(html, tmp_path / "letters.pdf", browser=str(fake), timeout=3)
    assert "letters.pdf not made: Chromium took longer than 3 s" in caplog.text
    helper = int(pidfile.read_text())
    deadline = time.monotonic() + 5  # SIGKILL is delivered asynchronously on a loaded machine
    while running(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(helper)
    assert not (tmp_path / "letters.pdf").exists() and not list(tmp_path.glob(".chromium-*"))


def test_relative_paths_reach_chromium_as_absolute_ones(tmp_path, monkeypatch):
    """A release stages its letters relative to the workspace: Path.as_uri() refuses a
    relative path, so html_to_pdf must hand Chromium absolute paths (make demo crashed)."""
    fake = tmp_path / "chromium"
    argv = tmp_path / "argv.txt"
    fake.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > {argv}\n'
        'for a in "$@"; do case "$a" in --print-to-pdf=*) printf "%%PDF-1.4" > "${a#--print-to-pdf=}";; esac; done\n'
    )
    fake.chmod(0o700)
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "letters.html").write_text("<p>x</p>")
    monkeypatch.chdir(tmp_path)
    made = pdf.html_to_pdf(
        Path("stage/letters.html"), Path("stage/letters.pdf"), browser=str(fake), timeout=30
    )
    assert made
    args = argv.read_text().splitlines()
    assert args[-1] == (tmp_path / "stage" / "letters.html").as_uri()
    assert (tmp_path / "stage" / "letters.pdf").read_bytes().startswith(b"%PDF")
