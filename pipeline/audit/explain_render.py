"""`cohort explain` as text for the practice: first two or three plain sentences a
complaints handler can read out (pipeline/audit/explain_summary.py), then the run that
decided in full (the rules in order with ✓/✗ and their evidence), every other run on
one line, then what happened since. Durations in months and years, NHS numbers spaced
3 3 4. It names the patient: print only, never log."""

from __future__ import annotations

import textwrap

from pipeline.audit.explain_summary import humanise, key_run, nhs_spaced, summary
from pipeline.audit.explain_text import day, plural


def render(explanation: dict, *, summary_only: bool = False) -> str:
    """The explanation as text for the practice (it names the patient)."""
    head = ["In short:"]
    for sentence in summary(explanation):
        head += textwrap.wrap(sentence, 96, initial_indent="  ", subsequent_indent="  ")
    if summary_only:
        return "\n".join(head)
    key = key_run(explanation["runs"])
    out = ["", *_render_run(key), ""]
    others = [run for run in explanation["runs"] if run is not key]
    if others:
        out.append("Other runs that considered them (one line each; --run RUN_ID for the detail):")
        out += [f"  {_one_line(run)}" for run in others] + [""]
    since = explanation["since"]
    out.append("What happened since:")
    out += [f"  {line}" for line in since["lines"] or ["no invitation from this workspace"]]
    out += [f"  {line}" for line in since["do_not_contact_lines"]]
    return "\n".join(head) + "\n" + humanise("\n".join(out))


def _one_line(run: dict) -> str:
    r = run["run"]
    return f"Run {r['run_id']} ({str(r['started_at'])[:10]}, {r['status']}): {run['summary']}"


def _render_run(run: dict) -> list[str]:
    r, p = run["run"], run["patient"]
    name = " ".join(x for x in (p.get("title"), p.get("forename"), p.get("surname")) if x)
    nhs = f", NHS number {nhs_spaced(p['nhs_number'])}" if p.get("nhs_number") else ""
    lists = ", ".join(f"{c['name']} v{c['version']}" for c in r["codelists"]) or "not recorded"
    out = [
        f"Run {r['run_id']} ({r['status']}; started {str(r['started_at'])[:16]} UTC by {r['operator'] or 'unknown'})",
        f"  Patient: {name or 'name not recorded'}, practice {p['practice_code']} patient id {p['patient_id']}{nhs}",
        f"  Study: {r['study']} ({r['study_file'] or 'file not recorded'}, sha256 {(r['study_sha256'] or '?')[:12]}…), "
        f"index date {day(p['index_date'])}",
        f"  Codelists: {lists}",
        f"  Result: {run['summary']}",
    ]
    if run.get("ranking"):
        out.append(f"  Ranking: {run['ranking']}")
    if run["rules"]:
        out.append("  Rules, in the study's order:")
    for rule in run["rules"]:
        out += _render_rule(rule, stopped=rule["rule"] == run["stopped_by"])
    if run.get("score"):
        out.append("  Score and out-of-work evidence:")
    for part in run.get("score", []):
        out += _render_part(part)
    if run["records_after_index_date"]:
        out.append(
            f"  ({plural(run['records_after_index_date'], 'coded record')} dated after the index date "
            "were ignored by every rule)"
        )
    return out


def _render_rule(rule: dict, *, stopped: bool) -> list[str]:
    mark = "✓" if rule["held"] else "✗"
    out = [f"    {mark} {rule['label']}: {rule['text']}" + ("   ← stopped here" if stopped else "")]
    out += [f"        {line}" for line in rule["evidence"]]
    for sub in rule.get("routes", []):
        out.append(f"        {'✓' if sub['held'] else '✗'} {sub['text']}")
        out += [f"            {line}" for line in sub["evidence"]]
    return out


def _render_part(part: dict) -> list[str]:
    """A scoring criterion: '✓ <label> held: <why> (+4 points)', then what it is made of."""
    mark = "✓" if part["held"] else "✗"
    worth = f" (+{part['points']} points)" if part.get("points") else " (out-of-work evidence)"
    out = [f"    {mark} {part['text']}{worth}"]
    out += [f"        {line}" for line in part["evidence"]]
    for sub in part.get("routes", []):
        out.append(f"        {'✓' if sub['held'] else '✗'} {sub['text']}")
        out += [f"            {line}" for line in sub["evidence"]]
    return out
