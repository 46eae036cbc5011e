"""What a letter yields: the reply model of the synthetic world, with self-selection.

Every letter gets exactly one fate, so rates are per letter sent: undeliverable, no
reply, a complaint, a decline, or an enquiry; an enquirer is then found eligible (and
is recruited or not) or ineligible, with the reason the research nurse would record.
Whether someone enquires depends on who they are (truth.csv): people who are out of
work through pain and want work answer far more often than people in work.

The enquiry and recruitment rates are calibrated, as issue #13 asks, so that the
codelist-only search reproduces the pilot's Table 1 (1,017 letters, 57 enquiries,
31 of them ineligible, 26 recruited); the ratios between groups are assumptions.
They are reply parameters, never the rules' efficacy: the same model answers the
letters of every study. docs/synthetic-world.md lists each one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pipeline.synth.rates import PILOT, Rate

CAL = "calibrated: the codelist-only search reproduces the pilot's Table 1 (" + PILOT + ")"
A = "assumption"

REPLY_RATES: dict[str, Rate] = {
    "UNDELIVERABLE": Rate(0.02, A, "letters returned undelivered (moved away)"),
    "ENQUIRE_ELIGIBLE": Rate(0.60, CAL, "eligible people who enquire"),
    "ENQUIRE_OUT_OF_WORK_IN_PAIN": Rate(
        0.08,
        CAL + "; the ratio to others is an assumption",
        "people out of work and in pain, but not eligible (not through pain, under 3 months, "
        "no wish to work), who enquire",
    ),
    "ENQUIRE_IN_WORK": Rate(0.015, CAL + "; ratio an assumption", "people in work who enquire"),
    "ENQUIRE_RETIRED_OR_STUDENT": Rate(
        0.03, CAL + "; ratio an assumption", "retired people and students who enquire"
    ),
    "ENQUIRE_NO_PAIN": Rate(
        0.02,
        CAL + "; ratio an assumption",
        "people no longer (or never) in chronic pain who enquire",
    ),
    "ENQUIRE_OTHER": Rate(
        0.03, CAL + "; ratio an assumption", "anyone else who enquires (out of work, not in pain)"
    ),
    "RECRUITED": Rate(0.80, CAL, "eligible enquirers who consent and are recruited"),
    "COMPLAIN_IN_WORK": Rate(
        0.01,
        A + " (the pilot reports complaints from people in work without a number)",
        "people in work who complain to the practice about the letter",
    ),
    "DECLINE": Rate(0.01, A, "people who write back to decline (put on the do-not-contact list)"),
}


@dataclass(frozen=True)
class Reply:
    """One letter's fate: outcome (as `cohort outcome` records it) and, for the
    ineligible, a reason; `enquired` and `recruited` for counting."""

    outcome: str
    reason: str | None = None
    enquired: bool = False
    recruited: bool = False


def draw(seed: int, key: str, salt: str) -> float:
    """A uniform draw in [0, 1) from the seed, the letter's key and a salt."""
    digest = hashlib.sha256(f"{seed}|{salt}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def flag(truth: dict, name: str) -> bool:
    value = truth.get(name)
    return value is True or str(value).strip().lower() == "true"


def _r(name: str) -> float:
    return REPLY_RATES[name].value


def group(truth: dict) -> str:
    """Which self-selection group a person is in (the first that fits)."""
    if flag(truth, "eligible"):
        return "eligible"
    if flag(truth, "in_work"):
        return "in_work"
    if flag(truth, "retired") or flag(truth, "student"):
        return "retired_or_student"
    if not flag(truth, "in_chronic_pain"):
        return "no_pain"
    if str(truth.get("employment", "")).lower() in ("unemployed", "long_term_sick", "carer"):
        return "out_of_work_in_pain"
    return "other"


ENQUIRE = {
    "eligible": "ENQUIRE_ELIGIBLE",
    "in_work": "ENQUIRE_IN_WORK",
    "retired_or_student": "ENQUIRE_RETIRED_OR_STUDENT",
    "no_pain": "ENQUIRE_NO_PAIN",
    "out_of_work_in_pain": "ENQUIRE_OUT_OF_WORK_IN_PAIN",
    "other": "ENQUIRE_OTHER",
}


def _reason(truth: dict, who: str) -> str:
    if who == "in_work":
        return "in_work"
    if flag(truth, "retired"):
        return "retired"
    if who == "no_pain":
        return "no_chronic_pain"
    return "other"


def reply(truth: dict, key: str, *, seed: int) -> Reply:
    """The fate of the letter KEY sent to the person TRUTH describes (a truth.csv row)."""
    if draw(seed, key, "undeliverable") < _r("UNDELIVERABLE"):
        return Reply("undeliverable")
    who = group(truth)
    if draw(seed, key, "enquire") < _r(ENQUIRE[who]):
        if who == "eligible":
            recruited = draw(seed, key, "recruited") < _r("RECRUITED")
            return Reply(
                "recruited" if recruited else "eligible", enquired=True, recruited=recruited
            )
        return Reply("ineligible", _reason(truth, who), enquired=True)
    if who == "in_work" and draw(seed, key, "complaint") < _r("COMPLAIN_IN_WORK"):
        return Reply("complaint", "in_work")
    if draw(seed, key, "decline") < _r("DECLINE"):
        return Reply("declined")
    return Reply("no_reply")
