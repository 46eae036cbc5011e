"""The words of an invitation letter: the study file's ``letter:`` mapping over InStep defaults.

Every key is optional. Text values are plain text (printed as written, never
as HTML); a blank line in a text starts a new paragraph. ``template`` is a
letter template file, relative to the study file; ``require`` lists the contact
details every letter must carry; ``welsh`` holds the Welsh words for practices
that send the bilingual letter (docs/invitations.md).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from pipeline.errors import StudyError

DEFAULT_PURPOSE = (
    "We are writing to some of our patients of working age who have had long-term pain, to tell "
    "you about InStep, a research study that offers support to find and keep a job to people who "
    "are out of work because of their pain."
)
DEFAULT_RECORD_NOTE = (
    "Our records show that you have had pain for some time. They cannot show whether you are "
    "working, whether the pain is still there, or whether you would like to work: only you know "
    "that, so we are asking you."
)
DEFAULT_QUESTIONS = (
    "Are you out of paid work, and have you been for at least three months, because of your pain?",
    "Have you had pain on most days for more than three months, and do you still have it?",
    "Would you like to work?",
)
DEFAULT_NOT_FOR_YOU = (
    "If you are in paid work, or your pain has gone, this study is not for you and you do not need "
    "to do anything. We are sorry to have troubled you: our records cannot show who is working."
)
DEFAULT_REASSURANCE = (
    "Taking part is your choice, and your care will not change whatever you decide. Your details "
    "have not been given to the research team: this letter comes from your practice."
)
DEFAULT_OPT_OUT = (
    "If you do not want to hear about this study again, tell the practice and we will not write "
    "to you about it."
)
DEFAULT_INFORMATION_SHEET = (
    "An information sheet about the study comes with this letter. Please read it before you decide."
)
DEFAULT_ETHICS = "The study has been approved by an NHS Research Ethics Committee."
# What `require:` may name: contact details on the practice's manifest or in the study file.
PRACTICE_CONTACTS = ("practice_telephone", "practice_email")
STUDY_CONTACTS = ("contact_phone", "contact_email", "study_contact")


@dataclass(frozen=True)
class LetterText:
    subject: str = "An invitation to take part in the InStep study"
    purpose: str = DEFAULT_PURPOSE
    record_note: str = DEFAULT_RECORD_NOTE
    eligibility_questions: tuple[str, ...] = DEFAULT_QUESTIONS
    not_for_you: str = DEFAULT_NOT_FOR_YOU
    reassurance: str = DEFAULT_REASSURANCE
    opt_out: str = DEFAULT_OPT_OUT
    information_sheet: str = DEFAULT_INFORMATION_SHEET
    ethics: str = DEFAULT_ETHICS
    contact_phone: str | None = None
    contact_email: str | None = None
    study_contact: str | None = None
    signatory: str | None = None
    reply_address: tuple[str, ...] = ()
    template: Path | None = None
    require: tuple[str, ...] = ()
    welsh: dict | None = None

    @staticmethod
    def paragraphs(text: str) -> list[str]:
        """TEXT split into paragraphs at blank lines, each folded to one line."""
        return list(_paragraphs(text))  # the same few texts on every letter: split once


@functools.lru_cache(maxsize=512)
def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


LIST_KEYS = {"eligibility_questions", "reply_address", "require"}
KEYS = tuple(f.name for f in fields(LetterText))
# The words a Welsh letter needs in Welsh (the rest, names and numbers, are the same).
TRANSLATED = (
    "subject", "purpose", "record_note", "eligibility_questions", "not_for_you",
    "reassurance", "opt_out", "information_sheet", "ethics",
)  # fmt: skip


def letter_text(study) -> LetterText:
    """The study's LetterText; StudyError names every wrong key of its ``letter:`` mapping."""
    source = Path(getattr(study, "source", "") or "study file")
    mapping = getattr(study, "letter", None) or {}
    problems = _problems(mapping)
    if problems:
        raise StudyError(f"{source}: " + "; ".join(problems))
    values = {k: _value(k, v, source) for k, v in mapping.items() if v is not None}
    text = LetterText(**values)
    missing = [k for k in text.require if k in STUDY_CONTACTS and not getattr(text, k)]
    if missing:
        raise StudyError(
            f"{source}: letter.require names {', '.join(missing)} but the study's letter: gives no "
            f"{missing[0]}; add it under letter: or take it out of letter.require"
        )
    return text


def welsh_text(text: LetterText, *, source: str | Path = "study file") -> LetterText:
    """TEXT with its words in Welsh: the study's ``letter.welsh`` over InStep's Welsh words.

    A word the study changed in English must be given in Welsh too (StudyError otherwise),
    so a practice never sends InStep's Welsh words with another study's English ones.
    """
    from pipeline.invitations.wording import WELSH_DEFAULTS

    given = dict(text.welsh or {})
    untranslated = [
        k for k in TRANSLATED if k not in given and getattr(text, k) != getattr(LetterText, k)
    ]
    if untranslated:
        raise StudyError(
            f"{source}: a practice sends letters in Welsh (letter_language: welsh-english) but "
            f"letter.welsh has no {', '.join(untranslated)}; add the Welsh words under letter: welsh:"
        )
    words = {k: given.get(k, WELSH_DEFAULTS[k]) for k in TRANSLATED}
    return replace(text, **words, welsh=None)


def _problems(mapping: Mapping) -> list[str]:
    problems = []
    for key, value in mapping.items():
        if key not in KEYS:
            problems.append(f"letter.{key}: unknown key; the letter keys are {', '.join(KEYS)}")
        elif value is None:
            continue
        elif key == "welsh":
            problems += _welsh_problems(value)
        elif key == "require" and _is_texts(value):
            known = PRACTICE_CONTACTS + STUDY_CONTACTS
            problems += [
                f"letter.require: '{v}' is not one of {', '.join(known)}"
                for v in value
                if v not in known
            ]
        elif key in LIST_KEYS and not _is_texts(value):
            problems.append(f"letter.{key}: must be a list of text lines")
        elif key not in LIST_KEYS and not (isinstance(value, str) and value.strip()):
            problems.append(f"letter.{key}: must be text")
    return problems


def _welsh_problems(value) -> list[str]:
    if not isinstance(value, Mapping):
        return ["letter.welsh: must be a mapping of the letter's words in Welsh"]
    problems = []
    for key, words in value.items():
        if key not in TRANSLATED:
            problems.append(
                f"letter.welsh.{key}: not a word to translate; use {', '.join(TRANSLATED)}"
            )
        elif key == "eligibility_questions" and not _is_texts(words):
            problems.append(f"letter.welsh.{key}: must be a list of text lines")
        elif key != "eligibility_questions" and not (isinstance(words, str) and words.strip()):
            problems.append(f"letter.welsh.{key}: must be text")
    return problems


def _is_texts(value) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _value(key: str, value, source: Path):
    if key in LIST_KEYS:
        return tuple(v.strip() for v in value)
    if key == "welsh":
        return {
            k: tuple(v.strip() for v in w) if isinstance(w, list | tuple) else w.strip()
            for k, w in value.items()
        }
    if key == "template":
        path = (source.parent / value).resolve()
        if not path.is_file():
            raise StudyError(
                f"{source}: letter.template: {value} does not exist beside the study file; fix the path"
            )
        return path
    return value.strip()
