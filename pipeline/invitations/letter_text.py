"""The words of an invitation letter: the study file's ``letter:`` mapping over InStep defaults.

Every key is optional. Text values are plain text (printed as written, never
as HTML); a blank line in a text starts a new paragraph. ``template`` is a
letter template file, relative to the study file (docs/invitations.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
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


@dataclass(frozen=True)
class LetterText:
    subject: str = "An invitation to take part in the InStep study"
    purpose: str = DEFAULT_PURPOSE
    record_note: str = DEFAULT_RECORD_NOTE
    eligibility_questions: tuple[str, ...] = DEFAULT_QUESTIONS
    not_for_you: str = DEFAULT_NOT_FOR_YOU
    reassurance: str = DEFAULT_REASSURANCE
    opt_out: str = DEFAULT_OPT_OUT
    contact_phone: str | None = None
    contact_email: str | None = None
    signatory: str | None = None
    reply_address: tuple[str, ...] = ()
    template: Path | None = None

    @staticmethod
    def paragraphs(text: str) -> list[str]:
        """TEXT split into paragraphs at blank lines, each folded to one line."""
        return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


LIST_KEYS = {"eligibility_questions", "reply_address"}
KEYS = tuple(f.name for f in fields(LetterText))


def letter_text(study) -> LetterText:
    """The study's LetterText; StudyError names every wrong key of its ``letter:`` mapping."""
    source = Path(getattr(study, "source", "") or "study file")
    mapping = getattr(study, "letter", None) or {}
    problems = _problems(mapping)
    if problems:
        raise StudyError(f"{source}: " + "; ".join(problems))
    values = {k: _value(k, v, source) for k, v in mapping.items() if v is not None}
    return LetterText(**values)


def _problems(mapping: Mapping) -> list[str]:
    problems = []
    for key, value in mapping.items():
        if key not in KEYS:
            problems.append(f"letter.{key}: unknown key; the letter keys are {', '.join(KEYS)}")
        elif value is None:
            continue
        elif key in LIST_KEYS and not _is_texts(value):
            problems.append(f"letter.{key}: must be a list of text lines")
        elif key not in LIST_KEYS and not (isinstance(value, str) and value.strip()):
            problems.append(f"letter.{key}: must be text")
    return problems


def _is_texts(value) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _value(key: str, value, source: Path):
    if key in LIST_KEYS:
        return tuple(v.strip() for v in value)
    if key == "template":
        path = (source.parent / value).resolve()
        if not path.is_file():
            raise StudyError(
                f"{source}: letter.template: {value} does not exist beside the study file; fix the path"
            )
        return path
    return value.strip()
