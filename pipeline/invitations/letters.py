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
up the same way (``practices/CODE/letters.html.j2`` first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2

from pipeline.errors import StudyError
from pipeline.invitations.letter_text import LetterText
from pipeline.paths import TEMPLATES_DIR

LETTER = "letter.html.j2"
PACK = "letters.html.j2"
ADDRESS = ("address_line_1", "address_line_2", "address_line_3", "address_line_4", "postcode")
# Envelope window lines: (most lines, longest line) that fit each type size in 90 x 35 mm.
WINDOW_SIZES = (("normal", 6, 40), ("small", 7, 50))


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    address: tuple[str, ...]


def uk_date(day: dt.date) -> str:
    """``1 May 2024``: how a date is written on a letter."""
    return f"{day.day} {day:%B %Y}"


def with_window(letter: dict) -> dict:
    """LETTER plus ``window_lines`` (name and address as recorded, blanks left out) and
    ``window_size`` (normal, small or tiny type, so a long address still fits the window)."""
    lines = [letter["addressee"], *(letter[key] for key in ADDRESS if letter.get(key))]
    longest = max(len(line) for line in lines)
    size = next(
        (name for name, most, width in WINDOW_SIZES if len(lines) <= most and longest <= width),
        "tiny",
    )
    return {**letter, "window_lines": lines, "window_size": size}


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
        self.env = environment(template_dirs(text, study_source))

    def render(
        self, practice: Practice, letters: list[dict], *, letter_date: dt.date, reply_by: dt.date
    ) -> str:
        pack, letter = (self._template(base, practice.code) for base in (PACK, LETTER))
        context = {
            "practice": practice,
            "letters": [with_window(letter) for letter in letters],
            "letter_template": letter,
            "text": self.text,
            "study_title": self.study_title,
            "letter_date": uk_date(letter_date),
            "reply_by": uk_date(reply_by),
        }
        try:
            return pack.render(context)
        except jinja2.TemplateError as exc:
            raise StudyError(
                f"letter template for practice {practice.code}: {exc.message}; fix the template"
            ) from None

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
