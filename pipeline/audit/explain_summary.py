"""What a complaints handler reads out first: two or three plain sentences about one person.

Built from the same explanation `cohort explain` prints (what each run stored):
who they are and whether they were written to, the check that decided it, and
what has happened since (outcomes, the do-not-contact list). Durations are in
months and years, NHS numbers spaced 3 3 4. `humanise` rewrites the detail's
"730 days" the same way.
"""

from __future__ import annotations

import re

DAYS = re.compile(r"\b(\d+) days\b")
LETTER = ("invited", "withdrawn")
# The final steps every study has: not worth reading out when someone was invited.
BUILT_IN = ("already_invited", "do_not_contact", "screened_out", "data_quality")


def duration(days: int) -> str:
    """``730`` -> ``2 years``, ``90`` -> ``3 months``, ``228`` -> ``7 months``, ``45`` -> ``45 days``."""
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{round(days / 30.44)} months"


def humanise(text: str) -> str:
    """Every "N days" of 60 or more in TEXT in months or years, the days kept in brackets
    (a rule's 90 days is not "about 3 months": 89 days does not meet it)."""

    def said(m: re.Match) -> str:
        days = int(m.group(1))
        return m.group(0) if days < 60 else f"{duration(days)} ({days} days)"

    return DAYS.sub(said, text)


def nhs_spaced(number: str | None) -> str | None:
    """``9434765919`` -> ``943 476 5919`` (as the NHS prints it)."""
    digits = re.sub(r"\D", "", number or "")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else number


def key_run(runs: list[dict]) -> dict:
    """The run that wrote to them (the latest such), else the latest run that judged them."""
    wrote = [r for r in runs if r["result"] in LETTER]
    return (wrote or runs)[-1]


def who(run: dict) -> str:
    p = run["patient"]
    name = " ".join(x for x in (p.get("title"), p.get("forename"), p.get("surname")) if x)
    nhs = f" (NHS number {nhs_spaced(p['nhs_number'])})" if p.get("nhs_number") else ""
    where = p.get("practice_name") or f"practice {p['practice_code']}"
    return f"{name or 'This patient'}{nhs}, registered at {where},"


def _day(value) -> str:
    return str(value or "")[:10]


def first_sentence(run: dict) -> str:
    study, when = run["run"]["study"], _day(run["run"]["started_at"])
    if run["result"] == "invited":
        return f"{who(run)} was sent an invitation to the {study} study in the run of {when} (reference {run['invite_ref']})."
    if run["result"] == "withdrawn":
        return f"{who(run)} was chosen for the {study} study in the run of {when}, but that run was withdrawn before its letters were sent."
    return f"{who(run)} was not invited to the {study} study (checked in the run of {when})."


def second_sentence(run: dict) -> str:
    if run["result"] in LETTER:
        checks = [
            r["label"][0].lower() + r["label"][1:]
            for r in run["rules"]
            if r["rule"] not in BUILT_IN
        ]
        met = "; ".join(checks) if checks else "every check of the study"
        return humanise(
            f"Their record met every check the study makes, on the records up to {_day(run['patient']['index_date'])}: {met}."
        )
    stopped = next((r for r in run["rules"] if r["rule"] == run["stopped_by"]), None)
    if stopped is None:
        return humanise(run["summary"][0].upper() + run["summary"][1:].lower() + ".")
    return humanise(
        f"They were not invited because of the check \u201c{stopped['label']}\u201d: {stopped['text']}."
    )


def third_sentence(since: dict) -> str:
    outcomes = since.get("outcomes") or []
    said = [
        f"{o['outcome'].replace('_', ' ')}{' (' + o['reason'].replace('_', ' ') + ')' if o.get('reason') else ''} "
        f"on {_day(o['recorded_at'])}"
        for o in outcomes
    ]
    text = (
        "Since then: " + ", ".join(said) if said else "No reply or other outcome has been recorded"
    )
    if since.get("do_not_contact"):
        text += "; they are on the do-not-contact list, so no later letter will go to them"
    return text + "."


def summary(explanation: dict) -> list[str]:
    """Two or three sentences: who and whether written to, why, and what happened since."""
    run = key_run(explanation["runs"])
    lines = [first_sentence(run), second_sentence(run)]
    if (
        run["result"] in LETTER
        or explanation["since"].get("outcomes")
        or explanation["since"].get("do_not_contact")
    ):
        lines.append(third_sentence(explanation["since"]))
    return lines
