"""Plain-English sentences for `cohort explain`, built from the facts a run stored.

``describe_run`` turns one run's facts about one patient into a verdict and a
list of rules in the study's order, each with whether it held, one sentence and
the evidence lines (``Low back pain (SNOMED CT 279039007), chronic_pain_conditions
v1, recorded 2018-06-01 and 2019-01-15, 228 days apart``). The verdicts are the
run's own flags (table ``population``); the sentences only say why.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

SYSTEMS = {
    "snomedct": "SNOMED CT",
    "readv2": "Read v2",
    "ctv3": "CTV3",
    "dmd": "dm+d",
    "bnf": "BNF",
}
ROUTES = (
    ("c1", "chronic_pain_conditions", "C1 repeated pain conditions"),
    ("c2", "chronic_pain_diagnosis", "C2 chronic pain recorded"),
    ("c3", "pain_medications", "C3 repeat pain medication"),
)
# (stop-rule name, label) in the study's order (docs/design/contracts.md).
RULES = (
    ("not_registered", "Registered on the index date"),
    ("not_alive", "Alive on the index date"),
    ("age", "Of working age"),
    ("no_chronic_pain", "Chronic pain"),
    ("in_work", "Not known to be in work"),
    ("dementia", "No dementia"),
    ("palliative", "No palliative care"),
    ("opt_out", "No research opt-out"),
    ("already_invited", "Not already invited"),
    ("do_not_contact", "Not on the do-not-contact list"),
    ("screened_out", "Not screened out by a GP before"),
    ("data_quality", "Record fit to be mailed"),
)
MAX_DATES = 6


def day(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def code_label(r: dict) -> str:
    return (
        f"{r['term'] or 'code'} ({SYSTEMS.get(r['coding_system'], r['coding_system'])} {r['code']})"
    )


def evidence_lines(records: list[dict]) -> list[str]:
    """One line per code: term, system and code, codelist and version, its dates."""
    key = lambda r: (r["coding_system"], r["code"], r["term"], r["codelist"], r["version"])  # noqa: E731
    lines = []
    for _, group in groupby(sorted(records, key=lambda r: (key(r), r["record_date"])), key=key):
        rows = list(group)
        dates = [day(r["record_date"]) for r in rows]
        shown = (
            dates
            if len(dates) <= MAX_DATES
            else dates[: MAX_DATES - 1] + [f"{len(dates) - MAX_DATES + 1} more"]
        )
        verb = "issued" if rows[0]["source"] == "issue" else "recorded"
        line = f"{code_label(rows[0])}, {rows[0]['codelist']} v{rows[0]['version']}, {verb} {join_words(shown)}"
        if len(rows) > 1:
            line += f", {(rows[-1]['record_date'] - rows[0]['record_date']).days} days apart"
        lines.append(line)
    return lines


def _role(facts: dict, role: str) -> list[dict]:
    return [r for r in facts["records"] if r["role"] == role and r["days_before"] >= 0]


def _window(records: list[dict], days: int) -> list[dict]:
    return [r for r in records if r["days_before"] <= days]


def _rule(
    name: str, label: str, held: bool | None, text: str, evidence: list[str] | None = None
) -> dict:
    return {"rule": name, "label": label, "held": held, "text": text, "evidence": evidence or []}


# --- the population rules ----------------------------------------------------


def registered(facts: dict, held: bool) -> str:
    p, d = facts["patient"], day(facts["patient"]["index_date"])
    left = p.get("deregistration_date")
    if held:
        return f"registered since {day(p['registration_date'])}" + (
            f" (left on {day(left)}, after {d})" if left else ""
        )
    if p["registration_date"] > p["index_date"]:
        return (
            f"the registration started on {day(p['registration_date'])}, after the index date {d}"
        )
    return f"left the practice on {day(left)}, on or before the index date {d}"


def alive(facts: dict, held: bool) -> str:
    death, d = facts["patient"].get("date_of_death"), day(facts["patient"]["index_date"])
    if held:
        return f"alive on {d}" + (f" (date of death {day(death)} is after it)" if death else "")
    return f"died on {day(death)}, on or before the index date {d}"


def working_age(facts: dict, held: bool) -> str:
    p, pop, params = facts["patient"], facts["population"], facts["parameters"]
    span = f"{params.get('min_age', '?')} to {params.get('max_age', '?')}"
    said = f"aged {pop['age']} on {day(p['index_date'])} (born {day(p['date_of_birth'])})"
    return f"{said}; the study takes {span}" if held else f"{said}, outside the study's {span}"


def route(facts: dict, name: str, *, role: str, label: str, held: bool) -> dict:
    """One chronic-pain route: how many records fell in its window, against what it needs."""
    params = facts["parameters"]
    days, need, span = (
        params.get(f"{name}_window_days", 0),
        params.get(f"{name}_min_count", 1),
        params.get(f"{name}_min_span_days", 0),
    )
    records = _role(facts, role)
    inside = _window(records, days)
    needs = f"needs at least {need}" + (
        f", the latest at least {span} days after the earliest" if span else ""
    )
    noun = "issue" if role == "pain_medications" else "record"
    if inside:
        text = f"{plural(len(inside), noun)} within {days} days before {day(facts['patient']['index_date'])} ({needs})"
    else:
        text = f"no {noun} from {_codelist(facts, role)} within {days} days before {day(facts['patient']['index_date'])}"
        text += _older(records, days)
    verdict = "held" if held else "did not hold"
    return _rule(name, label, held, f"{label} {verdict}: {text}", evidence_lines(inside))


def _codelist(facts: dict, role: str) -> str:
    pins = [c for c in facts["run"]["codelists"] if c.get("role") == role]
    return f"{pins[0]['name']} v{pins[0]['version']}" if pins else role


def _older(records: list[dict], days: int) -> str:
    older = [r for r in records if r["days_before"] > days]
    if not older:
        return ""
    last = older[-1]
    return f"; the most recent, {code_label(last)}, was on {day(last['record_date'])}, outside the window"


def chronic_pain(facts: dict, held: bool) -> tuple[str, list[dict]]:
    pop = facts["population"]
    routes = [
        route(facts, n, role=role, label=label, held=bool(pop[n])) for n, role, label in ROUTES
    ]
    held_names = [r["rule"].upper() for r in routes if r["held"]]
    text = f"route {join_words(held_names)} held" if held else "no chronic-pain route held"
    return text, routes


def employment(facts: dict, held: bool) -> tuple[str, list[str]]:
    """The employment-status picture in the window, and the latest record outside it."""
    days = facts["parameters"].get("employment_window_days", 0)
    excluded = str(
        facts["parameters"].get("employment_exclude_categories", "employed,retired,student")
    )
    d = day(facts["patient"]["index_date"])
    records = _role(facts, "employment_status")
    inside = _window(records, days)
    if not inside:
        text = f"no employment status recorded in the {days} days before {d}"
        return text + (_older(records, days) or "; none recorded at all"), []
    latest = [r for r in inside if r["record_date"] == inside[-1]["record_date"]]
    said = join_words([f"{code_label(r)} [{r['category']}]" for r in latest])
    if not held:
        text = (
            f"the latest employment status within the {days} days before {d} is {said}, on "
            f"{day(latest[0]['record_date'])}; the study excludes {excluded.replace(',', ', ')}"
        )
    else:
        text = f"the latest employment status within the {days} days before {d} is {said}, on {day(latest[0]['record_date'])}"
        text += (
            " (supporting evidence, not required)"
            if all(r["category"] == "unemployed" for r in latest)
            else ""
        )
    return text, evidence_lines(latest)


def exclusion(facts: dict, *, role: str, what: str, held: bool) -> tuple[str, list[str]]:
    records = _role(facts, role)
    if held:
        return f"no {what} record on or before {day(facts['patient']['index_date'])}", []
    return f"{what} recorded on or before {day(facts['patient']['index_date'])}", evidence_lines(
        records
    )


def opt_out(facts: dict, held: bool) -> tuple[str, list[str]]:
    outs, back = _role(facts, "research_opt_out"), _role(facts, "research_opt_out_withdrawn")
    lines = evidence_lines(outs + back)
    if not outs:
        return "no research opt-out (type 1 dissent) recorded", []
    if held and back:
        return (
            f"the opt-out of {day(outs[-1]['record_date'])} was withdrawn on {day(back[-1]['record_date'])}",
            lines,
        )
    return (
        f"research opt-out (type 1 dissent) recorded on {day(outs[-1]['record_date'])}, with no later withdrawal",
        lines,
    )


def already_invited(facts: dict, held: bool) -> tuple[str, list[str]]:
    study = facts["run"]["study"]
    if held:
        return f"no earlier invitation to {study} from this workspace when the run started", []
    lines = [
        f"invitation {p['invite_ref']} in run {p['run_id']} (matched by {p['matched_by']})"
        for p in facts["prior"]
    ]
    return f"already invited to {study} from this workspace", lines


def do_not_contact(facts: dict, held: bool) -> tuple[str, list[str]]:
    if held:
        return "not on the workspace's do-not-contact list when the run started", []
    lines = [f"reason: {d['reason']} (matched by {d['matched_by']})" for d in facts["dnc"]]
    return "on the workspace's do-not-contact list when the run started", lines


def screened_out(facts: dict, held: bool) -> tuple[str, list[str]]:
    study = facts["run"]["study"]
    if held:
        return f"not screened out of {study} by a GP when the run started", []
    lines = [
        f"excluded at screening in run {s['run_id']} ({s['reason']}; matched by {s['matched_by']})"
        for s in facts.get("screened", [])
    ]
    return (
        f"a GP screened them out of {study} at an earlier run; they are not offered to the GP again "
        "(they are not on the do-not-contact list: other studies may write)",
        lines,
    )


def data_quality(facts: dict, held: bool) -> str:
    if held:
        return "NHS number (if any) valid, address line 1 and a valid postcode present"
    return (facts["quarantine"] or {}).get("reason") or facts["population"]["dq_reason"]


# --- the run as a whole ----------------------------------------------------------


def rules(facts: dict) -> list[dict]:
    """Every rule in order with whether it held, a sentence and its evidence."""
    pop = facts["population"]
    flags = {
        "not_registered": pop["registered"],
        "not_alive": pop["alive"],
        "age": pop["working_age"],
        "no_chronic_pain": pop["chronic_pain"],
        "in_work": pop["not_in_work"],
        "dementia": not pop["dementia"],
        "palliative": not pop["palliative"],
        "opt_out": not pop["opt_out"],
        "already_invited": not pop["already_invited"],
        "do_not_contact": not pop["do_not_contact"],
        "screened_out": not pop.get("screened_out"),
        "data_quality": pop["dq_reason"] is None,
    }
    return [_rule_for(facts, name, label=label, held=bool(flags[name])) for name, label in RULES]


def _rule_for(facts: dict, name: str, *, label: str, held: bool) -> dict:
    simple = {
        "not_registered": registered,
        "not_alive": alive,
        "age": working_age,
        "data_quality": data_quality,
    }
    if name in simple:
        return _rule(name, label, held, simple[name](facts, held))
    if name == "no_chronic_pain":
        text, routes = chronic_pain(facts, held)
        return {**_rule(name, label, held, text), "routes": routes}
    with_lines = {
        "in_work": employment,
        "opt_out": opt_out,
        "already_invited": already_invited,
        "do_not_contact": do_not_contact,
        "screened_out": screened_out,
        "dementia": lambda f, h: exclusion(f, role="dementia", what="dementia", held=h),
        "palliative": lambda f, h: exclusion(
            f, role="palliative_care", what="palliative care", held=h
        ),
    }
    text, lines = with_lines[name](facts, held)
    return _rule(name, label, held, text, lines)


def verdict(facts: dict, rule_list: list[dict]) -> tuple[str, str]:
    """(result, one sentence): invited, withdrawn, not_sent, deferred, quarantined, not_invited or not_judged."""
    pop = facts["population"]
    if pop is None:
        return (
            "not_judged",
            f"not judged: the run stopped ({facts['run']['status']}) before the study rules were applied",
        )
    if pop["invited"]:
        return _letter_verdict(facts)
    first = next(r for r in rule_list if r["rule"] == pop["stopped_by"])
    if pop["stopped_by"] == "data_quality":
        return (
            "quarantined",
            f"HELD IN QUARANTINE: every rule held, but the record cannot be mailed safely: {first['text']}",
        )
    return (
        "not_invited",
        f"NOT INVITED: the first rule that stopped them was '{first['label']}': {first['text']}",
    )


def _letter_verdict(facts: dict) -> tuple[str, str]:
    """For a patient every rule let through: was a letter produced, sent, withdrawn or deferred?"""
    letter, status = facts["invitation"], facts["run"]["status"]
    if status not in ("published", "committed", "rolled_back"):
        return (
            "not_sent",
            f"NOT INVITED: every rule held, but the run stopped ({status}) before any letter was produced",
        )
    if letter and status == "rolled_back":
        return "withdrawn", (
            f"INVITED, THEN WITHDRAWN: every rule held (reference {letter['invite_ref']}), "
            "but the run was rolled back: its letters were not to be sent"
        )
    if letter:
        return (
            "invited",
            f"INVITED: every rule held; the letter's reference is {letter['invite_ref']}",
        )
    held = facts["deferred"] or {}
    return "deferred", (
        f"NOT INVITED IN THIS RUN: every rule held, but the practice's capacity limit held them "
        f"back ({held.get('reason', 'deferred')}); they stay invitable in later runs"
    )


def ranking(facts: dict) -> str | None:
    """Score, rank and capacity as the run stored them with the letter or the deferral."""
    row = facts.get("invitation") or facts.get("deferred") or {}
    if row.get("capacity_rank") is None or row.get("score") is None:
        return None
    rank, cap = row["capacity_rank"], row.get("capacity")
    said = (
        f"score {row['score']}; ranked {rank} of {row.get('practice_candidates', '?')} at practice "
        f"{row['practice_code']} (highest score first, equal scores in the order of the run's seeded hash)"
    )
    if cap is None:
        return (
            said + "; the run had no capacity limit, so everyone the rules let through was chosen"
        )
    if rank <= cap:
        return said + f"; within the practice's capacity of {cap} letters per run"
    return (
        said
        + f"; beyond the practice's capacity of {cap} letters per run, so deferred: they compete again next run"
    )


def describe_run(facts: dict) -> dict:
    rule_list = rules(facts) if facts["population"] else []
    result, sentence = verdict(facts, rule_list)
    p = facts["patient"]
    return {
        "run": facts["run"],
        "patient": {
            k: p.get(k)
            for k in (
                "practice_code",
                "practice_name",
                "patient_id",
                "nhs_number",
                "title",
                "forename",
                "surname",
                "date_of_birth",
                "index_date",
            )
        },
        "result": result,
        "stopped_by": (facts["population"] or {}).get("stopped_by"),
        "summary": sentence,
        "invite_ref": (facts["invitation"] or {}).get("invite_ref"),
        "ranking": ranking(facts),
        "rules": rule_list,
        "records_after_index_date": sum(1 for r in facts["records"] if r["days_before"] < 0),
    }


def describe_since(since: dict) -> dict:
    """Ledger status, outcomes and do-not-contact entries as sentences."""
    lines = [
        f"invitation {r['invite_ref']} ({r['study']}, run {r['run_id']}, {day(r['created_at'])[:10]}): "
        f"{'withdrawn (run rolled back)' if r['status'] == 'rolled_back' else 'sent'}"
        for r in since["ledger"]
    ]
    lines += [
        f"{day(o['recorded_at'])[:10]} {o['invite_ref']}: {o['outcome']}"
        f"{' (' + o['reason'] + ')' if o['reason'] else ''}, recorded by {o['recorded_by']}"
        for o in since["outcomes"]
    ]
    dnc = [
        f"on the do-not-contact list since {day(d['added_at'])[:10]} ({d['reason']}; from {d['source']}, "
        f"added by {d['added_by']}): no later run will write to them"
        for d in since["do_not_contact"]
    ]
    return {
        **since,
        "lines": lines,
        "do_not_contact_lines": dnc or ["not on the do-not-contact list"],
    }
