"""Printable letter packs: one HTML file per practice, one A4 page per letter.

Templates are jinja2 files with autoescaping on, found in this order (the first
that exists wins; docs/invitations.md):

  names, most specific first:  practices/CODE/letter.html.j2,
                               the study's ``letter: template:`` file name,
                               letter.html.j2
  folders, for each name:      the folder of the study's ``letter: template:``,
                               templates/ beside the study file,
                               the project's templates/

The pack around the letters (page size, styles) is ``letters.html.j2``, looked
up the same way (``practices/CODE/letters.html.j2`` first). A pack comes in
normal (12 pt) or large print (16 pt), as a first letter or a reminder, and in
English or, for a ``welsh-english`` practice, each letter in Welsh then English.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2

from pipeline.errors import StudyError
from pipeline.invitations.letter_text import LetterText, welsh_text
from pipeline.invitations.wording import LABELS, letter_date
from pipeline.paths import TEMPLATES_DIR

LETTER = "letter.html.j2"
PACK = "letters.html.j2"
ADDRESS = ("address_line_1", "address_line_2", "address_line_3", "address_line_4", "postcode")
# Envelope window lines: (most lines, longest line) that fit each type size in 90 x 35 mm.
WINDOW_SIZES = (("normal", 6, 40), ("small", 7, 50))


# letter_language (manifest) -> the languages of each letter, in print order.
LANGUAGES = {"english": ("en",), "welsh-english": ("cy", "en")}


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    address: tuple[str, ...]
    telephone: str | None = None
    email: str | None = None
    language: str = "english"


@dataclass(frozen=True)
class Pack:
    """Which pack to print: LARGE_PRINT (16 pt) or not; a reminder of FIRST_LETTER (its date)."""

    large_print: bool = False
    first_letter: dt.date | None = None


def uk_date(day: dt.date) -> str:
    """``1 May 2024``: how a date is written on a letter."""
    return letter_date(day, "en")


class Fields(dict):
    """A dict whose keys a template also reads as attributes (``letter.invite_ref``,
    ``t.dear``) without jinja2 first trying, and failing, an attribute lookup on a
    plain dict: a letter reads some forty of them, and a run prints tens of thousands."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def with_window(letter: dict) -> Fields:
    """LETTER plus ``window_lines`` (name and address as recorded, blanks left out) and
    ``window_size`` (normal, small or tiny type, so a long address still fits the window)."""
    lines = [letter["addressee"], *(letter[key] for key in ADDRESS if letter.get(key))]
    longest = max(len(line) for line in lines)
    size = next(
        (name for name, most, width in WINDOW_SIZES if len(lines) <= most and longest <= width),
        "tiny",
    )
    return Fields(letter, window_lines=lines, window_size=size)


def template_dirs(text: LetterText, study_source: str | Path | None) -> list[Path]:
    dirs = [text.template.parent] if text.template else []
    if study_source:
        beside = Path(study_source).parent / "templates"
        if beside.is_dir():
            dirs.append(beside)
    return [*dirs, TEMPLATES_DIR]


def template_names(base: str, code: str, text: LetterText) -> list[str]:
    custom = [text.template.name] if text.template and base == LETTER else []
    return [f"practices/{code}/{base}", *custom, base]


def environment(dirs: list[Path]) -> jinja2.Environment:
    """Templates are project and study files (trusted like the study's SQL); values are escaped."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = LetterText.paragraphs
    return env


class LetterRenderer:
    """Renders each practice's pack with the study's words and the templates it resolves to."""

    def __init__(self, text: LetterText, *, study_title: str, study_source=None):
        self.text = text
        self.study_title = study_title
        self.study_source = study_source or "study file"
        self.env = environment(template_dirs(text, study_source))

    def words(self, language: str) -> LetterText:
        return welsh_text(self.text, source=self.study_source) if language == "cy" else self.text

    def versions(self, practice: Practice, *, day: dt.date, reply_by: dt.date, pack: Pack) -> list:
        """The letter in each of the practice's languages: its words, labels and dates."""
        out = []
        for lang in LANGUAGES.get(practice.language, ("en",)):
            labels = LABELS[lang]
            first = letter_date(pack.first_letter, lang) if pack.first_letter else None
            out.append(
                {
                    "lang": lang,
                    "text": self.words(lang),
                    "t": Fields(labels),
                    "letter_date": letter_date(day, lang),
                    "reply_by": letter_date(reply_by, lang),
                    "reminder": labels["reminder_note"].format(first=first) if first else None,
                }
            )
        return out

    def render(
        self,
        practice: Practice,
        letters: list[dict],
        *,
        letter_date: dt.date,
        reply_by: dt.date,
        pack: Pack = Pack(),
    ) -> str:
        template, letter = (self._template(base, practice.code) for base in (PACK, LETTER))
        versions = self.versions(practice, day=letter_date, reply_by=reply_by, pack=pack)
        context = {
            "practice": practice,
            "letters": [with_window(letter) for letter in letters],
            "letter_template": letter,
            "versions": versions,
            "large_print": pack.large_print,
            "study_title": self.study_title,
            **{k: versions[-1][k] for k in ("text", "t", "letter_date", "reply_by", "reminder")},
        }
        try:
            return template.render(context)
        except jinja2.TemplateError as exc:
            raise StudyError(
                f"letter template for practice {practice.code}: {exc.message}; fix the template"
            ) from None

    def write(
        self, path: Path, practice: Practice, letters: list[dict], *, day, reply_by, pack: Pack
    ) -> Path:
        """Render the pack to PATH (owner-only, atomically) and return PATH."""
        from pipeline.fsutil import atomic_write_text

        html = self.render(practice, letters, letter_date=day, reply_by=reply_by, pack=pack)
        atomic_write_text(path, html)
        return path

    def _template(self, base: str, code: str) -> jinja2.Template:
        try:
            return self.env.select_template(template_names(base, code, self.text))
        except jinja2.TemplateSyntaxError as exc:
            raise StudyError(
                f"{exc.filename} line {exc.lineno}: {exc.message}; fix the template"
            ) from None
        except jinja2.TemplateNotFound:
            raise StudyError(
                f"no {base} template found in {TEMPLATES_DIR}; restore it from git"
            ) from None
