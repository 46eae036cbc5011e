"""Plain-English sentences for `cohort explain`, built from the facts a run stored.

``describe_run`` turns one run's facts about one patient into a verdict and a
list of steps in the study's order (from the study tree the run stored), each
with whether it held, one sentence and the evidence lines (``Low back pain
(SNOMED CT 279039007), chronic_pain_conditions v1, recorded 2018-06-01 and
2019-01-15, 228 days apart``). The verdicts are the run's own flags (table
``population``) and the evidence its own rows (table ``evidence``); the
sentences only say why (pipeline/audit/explain_rules.py, one per node type).
This module builds data; pipeline/audit/explain_render.py turns it into text.
"""

from __future__ import annotations

from pipeline.audit.explain_rules import Facts, day, describe, member, plural

__all__ = ["day", "plural", "describe_run", "describe_since", "rules"]


def _rule(name: str, label: str, held: bool, text: str, evidence: list[str] | None = None) -> dict:
    return {"rule": name, "label": label, "held": held, "text": text, "evidence": evidence or []}


# --- the built-in final steps -----------------------------------------------------


def already_invited(f: Facts, held: bool) -> tuple[str, list[str]]:
    study = f.facts["run"]["study"]
    if held:
        return f"no earlier invitation to {study} from this workspace when the run started", []
    lines = [f"invitation {r['code']}: {r['detail']}" for r in f.rows("already_invited")]
    return f"already invited to {study} from this workspace", lines


def do_not_contact(f: Facts, held: bool) -> tuple[str, list[str]]:
    if held:
        return "not on the workspace's do-not-contact list when the run started", []
    return "on the workspace's do-not-contact list when the run started", [
        r["detail"] for r in f.rows("do_not_contact")
    ]


def screened_out(f: Facts, held: bool) -> tuple[str, list[str]]:
    study = f.facts["run"]["study"]
    if held:
        return f"not screened out of {study} by a GP when the run started", []
    return (
        f"a GP screened them out of {study} at an earlier run; they are not offered to the GP again "
        "(they are not on the do-not-contact list: other studies may write)",
        [r["detail"] for r in f.rows("screened_out")],
    )


def data_quality(f: Facts, held: bool) -> tuple[str, list[str]]:
    if held:
        return "NHS number (if any) valid, address line 1 and a valid postcode present", []
    return (f.facts["quarantine"] or {}).get("reason") or f.pop["dq_reason"], []


BUILT_IN = {
    "already_invited": (already_invited, lambda pop: not pop["already_invited"]),
    "do_not_contact": (do_not_contact, lambda pop: not pop["do_not_contact"]),
    "screened_out": (screened_out, lambda pop: not pop.get("screened_out")),
    "data_quality": (data_quality, lambda pop: pop["dq_reason"] is None),
}


# --- the run as a whole ----------------------------------------------------------


def rules(facts: dict) -> list[dict]:
    """Every step of the study in order with whether it held, a sentence and its evidence."""
    f = Facts(facts)
    return [_step(f, step) for step in f.tree["steps"]]


def _step(f: Facts, step: dict) -> dict:
    if step["criterion"] is None:
        describer, passes = BUILT_IN[step["stop"]]
        held = passes(f.pop)
        text, lines = describer(f, held)
        return _rule(step["stop"], step["label"], held, text, lines)
    c = f.criteria[step["criterion"]]
    held = f.flag(c["name"]) != step["exclude"]
    text, lines = describe(c, f)
    if not held:
        text += _excludes(c, f, negated=step["exclude"])
    rule = _rule(step["stop"], step["label"], held, text, lines)
    if c["kind"] in ("any", "all"):
        rule["routes"] = [member(f.criteria[m], f) for m in c["members"]]
    return rule


def _excludes(c: dict, f: Facts, *, negated: bool) -> str:
    """'; the study excludes employed, retired' when a latest-category rule stopped them."""
    if c["kind"] == "not":
        c, negated = f.criteria[c["members"][0]], not negated
    if c["kind"] == "latest" and negated:
        return f"; the study excludes {', '.join(c['definition']['category_in'])}"
    return ""


def score_parts(facts: dict) -> list[dict]:
    """The criteria the study scores (its ``score:``) and its out-of-work evidence
    criterion: each with whether it held, its points and, below it, every criterion it
    is made of with that one's evidence (a scoring criterion need not be in any step)."""
    f = Facts(facts)
    points = f.tree.get("score") or {}
    names = list(points)
    evidence = f.tree.get("out_of_work_evidence")
    if evidence and evidence not in names:
        names.append(evidence)
    parts = []
    for name in names:
        part = member(f.criteria[name], f)
        part["points"] = points.get(name)
        part["routes"] = [member(f.criteria[m], f) for m in _below(f, name)]
        parts.append(part)
    return parts


def _below(f: Facts, name: str) -> list[str]:
    """Every criterion NAME is made of (any/all/not members, recursively), in order."""
    found: list[str] = []
    for m in f.criteria[name]["members"]:
        found += [m] + [x for x in _below(f, m) if x not in found]
    return list(dict.fromkeys(found))


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
    if not rule_list:  # a run made before the study language stored no study tree
        return (
            "not_invited",
            f"NOT INVITED: stopped by the rule '{pop['stopped_by']}' (this run predates the stored study definition)",
        )
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
    screened = _screening_verdict(facts)
    if screened:
        return screened
    if letter and status == "rolled_back":
        return "withdrawn", (
            f"INVITED, THEN WITHDRAWN: every rule held (reference {letter['invite_ref']}), "
            "but the run was rolled back: its letters were not to be sent"
        )
    if letter:
        return (
            "invited",
            f"INVITED: every rule held; the letter's reference is {letter['invite_ref']}"
            + _screening_off(facts),
        )
    held = facts["deferred"] or {}
    return "deferred", (
        f"NOT INVITED IN THIS RUN: every rule held, but the practice's capacity limit held them "
        f"back ({held.get('reason', 'deferred')}); they stay invitable in later runs"
    )


SCREENING_REASONS = {
    "bereavement": "recent bereavement",
    "serious_illness": "serious illness",
    "safeguarding": "safeguarding",
    "in_work": "known to be in work",
    "other": "another reason",
}


def _screening_verdict(facts: dict) -> tuple[str, str] | None:
    """For a person a screened run listed: waiting for the GP, screened out, or invited after screening."""
    screening, letter = facts.get("screening") or {}, facts["invitation"]
    state = screening.get("screening")
    if not letter or state not in ("awaiting", "released"):
        return None
    ref = letter["invite_ref"]
    if screening.get("decision") == "exclude":
        why = SCREENING_REASONS.get(screening.get("reason"), screening.get("reason"))
        return "screened_out", (
            f"SCREENED OUT BY A GP: every rule held and they were on the GP screening list ({ref}), "
            f"but the GP excluded them ({why}); no letter was written, they will not be listed for "
            f"{facts['run']['study']} again, and they are not on the do-not-contact list"
        )
    if state == "awaiting":
        decided = " (the GP's decision, include, is imported)" if screening.get("decision") else ""
        return "awaiting_screening", (
            f"ON THE GP SCREENING LIST, NOT YET RELEASED: every rule held; reference {ref}{decided}; "
            "no letter is written until the run is released"
        )
    return "invited", (
        f"INVITED AFTER GP SCREENING: every rule held, the GP included them, and the letter's reference is {ref} "
        f"(released {day(screening.get('released_at'))[:16]} by {screening.get('released_by')})"
    )


def _screening_off(facts: dict) -> str:
    screening = facts.get("screening") or {}
    if screening.get("screening") != "off":
        return ""
    return f" (GP screening was switched off for this run: {screening.get('screening_reason')})"


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
    rule_list = rules(facts) if facts["population"] and facts["definition"] else []
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
        "score": score_parts(facts) if rule_list else [],
        "records_after_index_date": facts["records_after_index_date"],
    }


LEDGER_WORDS = {
    "active": "sent",
    "rolled_back": "withdrawn (run rolled back)",
    "awaiting_screening": "on a GP screening list, not released yet: no letter",
    "screened_out": "screened out by the GP: no letter",
}


def describe_since(since: dict) -> dict:
    """Ledger status, outcomes and do-not-contact entries as sentences."""
    lines = [
        f"invitation {r['invite_ref']} ({r['study']}, run {r['run_id']}, {day(r['created_at'])[:10]}): "
        f"{LEDGER_WORDS.get(r['status'], r['status'])}"
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
