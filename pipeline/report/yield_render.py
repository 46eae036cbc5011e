"""The yield report as text (at most 100 columns), CSV and HTML (every column).

Counts go through pipeline/report/disclosure.py (1 to 7 shown as ``<8``, the
rest rounded to the nearest 5, rates from the rounded counts) unless the report
is for internal use (``exact``). The text shows the columns that answer "did
the letters reach the right people?"; the CSV and HTML carry every column.
"""

from __future__ import annotations

import csv
import html
import io
import textwrap
from pathlib import Path

from pipeline.audit.yields import COUNTS, RATES, YieldTable
from pipeline.report.disclosure import NOTE, is_small, percent, small_count

WIDTH = 100
HEADINGS = {
    "invited": "sent",
    "recorded": "outcome recorded",
    "replied": "replied",
    "eligible": "eligible",
    "recruited": "recruited",
    "ineligible_in_work": "in work",
    "ineligible_retired": "retired",
    "ineligible_no_chronic_pain": "no pain",
    "ineligible_moved": "moved",
    "ineligible_other": "other reason",
    "complaints": "complaints",
    "declined": "declined",
    "undeliverable": "undelivered",
    "reply_rate": "replies per letter",
    "reply_of_recorded": "replies per outcome",
    "eligible_share": "eligible per reply",
    "in_work_share": "in work per reply",
}
TEXT_COLUMNS = ("invited", "recorded", "replied", "eligible", "recruited", "ineligible_in_work",
                "complaints", "reply_rate", "eligible_share")  # fmt: skip
# Text headings: two short lines each, so ten columns and the group fit in 100 characters.
SHORT = {
    "invited": "letters\nsent",
    "recorded": "outcome\nrecorded",
    "replied": "\nreplied",
    "eligible": "\neligible",
    "recruited": "\nrecruited",
    "ineligible_in_work": "in\nwork",
    "complaints": "com-\nplaints",
    "reply_rate": "replies\n/letter",
    "reply_of_recorded": "replies\n/outcome",
    "eligible_share": "eligible\n/reply",
}
DIMENSIONS = {"all": "All letters", "practice": "By practice", "route": "By chronic-pain route"}


def shown_row(row: dict, *, exact: bool) -> dict:
    """ROW as it may be shown: counts suppressed and rounded unless EXACT; rates added."""
    out = {"dimension": row["dimension"], "group": row["group"]}
    for name in COUNTS:
        out[name] = f"{row[name]:,}" if exact else small_count(row[name])
    for rate, part, whole in RATES:
        out[rate] = _rate(row[part], row[whole], exact=exact)
    return out


def _rate(part: int, whole: int, *, exact: bool) -> str:
    if not whole:
        return ""
    if exact:
        return f"{100 * part / whole:.1f}%"
    if part == 0 and not is_small(whole):
        return "0.0%"
    return percent(part, whole)


def _title(exact: bool) -> list[str]:
    how = "exact counts: internal use only" if exact else "shareable: " + NOTE[:-1].lower()
    return _wrap(f"Yield of the letters sent ({how})")


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent or "  ")


def _table(rows: list[dict]) -> str:
    """ROWS under two-line headings, numbers right-aligned, the group name wrapped to fit."""
    heads = [SHORT[c].split("\n") for c in TEXT_COLUMNS]
    widths = [
        max(len(h[0]), len(h[1]), *(len(r[c]) for r in rows))
        for h, c in zip(heads, TEXT_COLUMNS, strict=True)
    ]
    group = WIDTH - sum(w + 1 for w in widths)
    lines = [
        " " * group + "".join(f" {h[i]:>{w}}" for h, w in zip(heads, widths, strict=True))
        for i in (0, 1)
    ]
    lines.append("-" * WIDTH)
    for r in rows:
        names = textwrap.wrap(r["group"], group) or [""]
        numbers = "".join(f" {r[c]:>{w}}" for c, w in zip(TEXT_COLUMNS, widths, strict=True))
        lines.append(f"{names[0]:<{group}}{numbers}")
        lines += names[1:]
    return "\n".join(line.rstrip() for line in lines)


def to_text(table: YieldTable, *, exact: bool) -> str:
    """The report in at most 100 columns."""
    rows = table.shown(exact=exact)
    if not rows:
        return "Yield: no letters sent from this workspace yet."
    lines = _title(exact)
    for dimension, heading in DIMENSIONS.items():
        chosen = [r for r in rows if r["dimension"] == dimension]
        if chosen:
            lines += ["", f"{heading}:", _table(chosen)]
    lines += ["", *codelist_section(table, rows, exact=exact)]
    lines += screening_section(table, exact=exact)
    lines += ["", *_wrap("Every column (declined, undelivered, each reason for not being eligible) "
                         "is in the CSV or HTML: cohort report yield --out yield.csv (or .html).")]  # fmt: skip
    for note in table.notes:
        lines += _wrap(f"Note: {note}")
    return "\n".join(line.rstrip() for line in lines)


def codelist_section(table: YieldTable, rows: list[dict], *, exact: bool) -> list[str]:
    """What differs between runs' codelists (or one line saying nothing does); exclusions' removals."""
    chosen = [r for r in rows if r["dimension"] == "codelist"]
    if chosen:
        lines = ["By codelist (versions that differ between runs):", _table(chosen)]
    elif table.same_codelists:
        runs = "the one run" if table.runs == 1 else f"all {table.runs} runs"
        lines = _wrap(
            f"By codelist: {runs} used the same codelist versions "
            f"({', '.join(table.same_codelists)}), so no codelist can be compared with another."
        )
    else:
        lines = ["By codelist: no run records which codelists it used."]
    for e in table.exclusions:
        removed = f"{e.removed:,}" if exact else small_count(e.removed)
        lines += _wrap(f"Exclusion list {', '.join(e.codelists)}: removed {removed} people.", "  ")
    return lines


def screening_section(table: YieldTable, *, exact: bool) -> list[str]:
    """People removed at GP screening, by reason (filled in by the screening step)."""
    if not table.screened_out:
        return []
    lines = ["", "Removed at screening:"]
    for reason, n in table.screened_out:
        lines.append(f"  {reason}: {n:,}" if exact else f"  {reason}: {small_count(n)}")
    return lines


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(rows[0]) if rows else ["dimension", "group"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_html(table: YieldTable, *, exact: bool) -> str:
    """Every column, one table per dimension, in a self-contained page."""
    rows = table.shown(exact=exact)
    columns = [*COUNTS, *(r for r, _, _ in RATES)]
    head = "".join(f"<th>{html.escape(HEADINGS[c])}</th>" for c in columns)
    parts = [f"<h1>{html.escape(' '.join(_title(exact)))}</h1>"]
    for dimension in dict.fromkeys(r["dimension"] for r in rows):
        body = "".join(
            f"<tr><th>{html.escape(r['group'])}</th>"
            + "".join(f"<td>{html.escape(r[c])}</td>" for c in columns)
            + "</tr>"
            for r in rows
            if r["dimension"] == dimension
        )
        title = DIMENSIONS.get(dimension, "By codelist")
        parts.append(f"<h2>{title}</h2><table><tr><th></th>{head}</tr>{body}</table>")
    notes = codelist_section(table, [], exact=exact) if table.same_codelists else []
    parts += [f"<p>{html.escape(line.strip())}</p>" for line in notes + table.notes]
    style = "td{text-align:right;padding:2px 6px}th{text-align:left;padding:2px 6px}"
    return (
        '<!DOCTYPE html><html lang="en-GB"><meta charset="utf-8"><title>Yield</title>'
        f"<style>body{{font-family:sans-serif}}{style}</style>{''.join(parts)}</html>\n"
    )


def write_report(table: YieldTable, out: Path | None, *, exact: bool) -> str:
    """The report as text (returned), and as a file when OUT is given (.csv, .html, else text)."""
    from pipeline.fsutil import atomic_write_text

    text = to_text(table, exact=exact)
    if out is not None:
        suffix = Path(out).suffix.lower()
        content = (
            to_csv(table.shown(exact=exact))
            if suffix == ".csv"
            else to_html(table, exact=exact)
            if suffix in (".html", ".htm")
            else text + "\n"
        )
        atomic_write_text(Path(out), content)
    return text
