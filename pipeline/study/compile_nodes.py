"""One compiler function per node type: its per-patient flag and its evidence rows.

For each criterion the compiler asks its node type for:
  - ``hits``: CTEs over study_records giving, per patient, whether the rule
    holds (record-based nodes only; population nodes read the patient row);
  - ``flag``: a boolean SQL expression over the population's working row;
  - ``details``: extra population columns (the latest date, categories, values);
  - ``evidence``: a SELECT of the records that prove the rule, for the evidence table.
Every value (window, count, codelist alias, category, threshold) is bound as a
$parameter named after the criterion; identifiers are criterion names checked
against a fixed pattern when the study was loaded, and always quoted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.db import quote_ident as q
from pipeline.study import nodes as N

SQL_OPERATORS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "="}
SOURCE_VALUES = {"events": "event", "medications": "issue"}
KEY = "practice_code, patient_id"


@dataclass
class Params:
    """The bound values, collected as the compiler goes; names are criterion_field."""

    values: dict = field(default_factory=dict)

    def bind(self, name: str, value) -> str:
        assert self.values.get(name, value) == value, f"parameter {name} bound twice"
        self.values[name] = value
        return f"${name}"


def hits_name(c: N.Criterion) -> str:
    return q(f"{c.name}__hits")


def _window(c: N.Criterion, within: int | None, p: Params) -> str:
    """The records-in-window condition: D - within_days <= date <= D (study_records
    holds only records on or before D, so no window means any of them)."""
    if within is None:
        return "days_before >= 0"
    return f"days_before BETWEEN 0 AND {p.bind(f'{c.name}_within_days', within)}"


def describe(node: N.Records) -> str:
    """The rule in words, for the comment above its SQL."""
    when = (
        f"within {node.within_days} days of D" if node.within_days is not None else "on or before D"
    )
    text = f"at least {node.min_count} {'dates with ' if node.distinct_dates else ''}records {when}"
    if node.min_span_days:
        text += f", the latest at least {node.min_span_days} days after the earliest"
    return text


def _filters(c: N.Criterion, node: N.Records, p: Params) -> list[str]:
    out = [f"role = {p.bind(f'{c.name}_codelist', node.codelist)}", _window(c, node.within_days, p)]
    if node.source:
        out.append(f"source = {p.bind(f'{c.name}_source', SOURCE_VALUES[node.source])}")
    if node.category_in:
        bound = p.bind(f"{c.name}_category_in", list(node.category_in))
        out.append(f"list_contains(CAST({bound} AS VARCHAR[]), category)")
    return out


# --- hits: per-patient CTEs of the record-based nodes ------------------------------


def records_hits(c: N.Criterion, node: N.Records, p: Params) -> list[tuple[str, str]]:
    counted = "count(DISTINCT record_date)" if node.distinct_dates else "count(*)"
    matched = (
        f"    -- {c.label}: {describe(node)}.\n"
        f"    SELECT {KEY}, max(record_date) AS last_date\n"
        f"    FROM study_records\n"
        f"    WHERE {' AND '.join(_filters(c, node, p))}\n"
        f"    GROUP BY {KEY}\n"
        f"    HAVING {counted} >= {p.bind(f'{c.name}_min_count', node.min_count)}\n"
        f"        AND date_diff('day', min(record_date), max(record_date)) >= "
        f"{p.bind(f'{c.name}_min_span_days', node.min_span_days)}"
    )
    if node.unless is None:
        return [(hits_name(c), matched)]
    return [(q(f"{c.name}__matched"), matched), (hits_name(c), _unless(c, node.unless, p))]


def _unless(c: N.Criterion, unless: N.Unless, p: Params) -> str:
    cond = [f"u.role = {p.bind(f'{c.name}_unless_codelist', unless.codelist)}"]
    if unless.category_in:
        bound = p.bind(f"{c.name}_unless_category_in", list(unless.category_in))
        cond.append(f"list_contains(CAST({bound} AS VARCHAR[]), u.category)")
    same_day = p.bind(f"{c.name}_unless_same_day", unless.same_day)
    return (
        f"    -- ...unless a record from the other codelist is dated after the latest of them\n"
        f"    -- (or on the same day, when the study says so).\n"
        f"    SELECT m.{KEY.replace(', ', ', m.')}\n"
        f"    FROM {q(f'{c.name}__matched')} AS m\n"
        f"    WHERE NOT EXISTS (\n"
        f"        SELECT 1 FROM study_records AS u\n"
        f"        WHERE u.practice_code = m.practice_code AND u.patient_id = m.patient_id\n"
        f"            AND {' AND '.join(cond)}\n"
        f"            AND (u.record_date > m.last_date OR ({same_day} AND u.record_date = m.last_date))\n"
        f"    )"
    )


def latest_hits(c: N.Criterion, node: N.Latest, p: Params) -> list[tuple[str, str]]:
    cats = f"CAST({p.bind(f'{c.name}_category_in', list(node.category_in))} AS VARCHAR[])"
    day = (
        f"    -- {c.label}: the records on the latest date within the window\n"
        f"    -- (several codes can share that day; every one of them counts).\n"
        f"    SELECT {KEY}, record_date, category\n"
        f"    FROM study_records\n"
        f"    WHERE role = {p.bind(f'{c.name}_codelist', node.codelist)} AND {_window(c, node.within_days, p)}\n"
        f"    QUALIFY record_date = max(record_date) OVER (PARTITION BY {KEY})"
    )
    hits = (
        f"    -- Holds when any category on that day is one of the study's.\n"
        f"    SELECT\n"
        f"        {KEY},\n"
        f"        max(record_date) AS latest_date,\n"
        f"        list_sort(list_distinct(list(category))) AS categories,\n"
        f"        coalesce(min(category) FILTER (WHERE list_contains({cats}, category)), min(category)) AS category,\n"
        f"        coalesce(bool_or(list_contains({cats}, category)), false) AS hit\n"
        f"    FROM {q(f'{c.name}__day')}\n"
        f"    GROUP BY {KEY}"
    )
    return [(q(f"{c.name}__day"), day), (hits_name(c), hits)]


def value_hits(c: N.Criterion, node: N.Value, p: Params) -> list[tuple[str, str]]:
    op = SQL_OPERATORS[node.operator]
    latest = node.which == "latest"
    qualify = (
        f"\n    QUALIFY record_date = max(record_date) OVER (PARTITION BY {KEY})" if latest else ""
    )
    values = (
        f"    -- {c.label}: the values within the window"
        f"{' on the latest date with a value' if latest else ''}.\n"
        f"    SELECT {KEY}, record_date, value\n"
        f"    FROM study_records\n"
        f"    WHERE role = {p.bind(f'{c.name}_codelist', node.codelist)} AND {_window(c, node.within_days, p)}"
        f" AND value IS NOT NULL{qualify}"
    )
    threshold = f"CAST({p.bind(f'{c.name}_threshold', node.threshold)} AS DOUBLE)"
    agg, pick = (
        ("bool_and", "min" if op in (">=", ">") else "max")
        if latest
        else ("bool_or", "max" if op in (">=", ">") else "min")
    )
    hits = (
        f"    -- Holds when {'every value on that date' if latest else 'any value'} is {op} the threshold.\n"
        f"    SELECT {KEY}, max(record_date) AS value_date, {pick}(value) AS value,\n"
        f"        {agg}(value {op} {threshold}) AS hit\n"
        f"    FROM {q(f'{c.name}__values')}\n"
        f"    GROUP BY {KEY}"
    )
    return [(q(f"{c.name}__values"), values), (hits_name(c), hits)]


HITS = {N.Records: records_hits, N.Latest: latest_hits, N.Value: value_hits}


def hits(c: N.Criterion, p: Params) -> list[tuple[str, str]]:
    fn = HITS.get(type(c.node))
    return fn(c, c.node, p) if fn else []


# --- lookback: how far before D each node reads its codelist's records ----------------


def reads(c: N.Criterion) -> list[tuple[str, int | None]]:
    """(codelist alias, days before D) the criterion's rule and its evidence read; None: any time."""
    node = c.node
    if isinstance(node, N.Records):
        unless = [(node.unless.codelist, None)] if node.unless else []  # any later record cancels
        return [(node.codelist, node.within_days)] + unless
    if isinstance(node, N.Latest):
        # the evidence shows the latest ever when none is in the window
        return [(node.codelist, None)]
    if isinstance(node, N.Value):
        return [(node.codelist, node.within_days)]
    return []


def lookback_days(criteria, alias: str) -> int | None:
    """The oldest record (days before D) any criterion reads from ALIAS; None: all of them."""
    windows = [days for c in criteria for a, days in reads(c) if a == alias]
    return None if not windows or None in windows else max(windows)


# --- flags: one boolean expression per criterion -------------------------------------


def flag(c: N.Criterion, p: Params, lookup) -> str:
    """The criterion's flag over the population's working row (LOOKUP: name -> Criterion)."""
    node = c.node
    if isinstance(node, N.Registered):
        return "(registration_date <= index_date AND (deregistration_date IS NULL OR deregistration_date > index_date))"
    if isinstance(node, N.Alive):
        return "(date_of_death IS NULL OR date_of_death > index_date)"
    if isinstance(node, N.Age):
        return f"(age BETWEEN {p.bind(f'{c.name}_min', node.min)} AND {p.bind(f'{c.name}_max', node.max)})"
    if isinstance(node, N.Sex):
        return f"coalesce(list_contains(CAST({p.bind(f'{c.name}_values', list(node.values))} AS VARCHAR[]), sex), false)"
    if isinstance(node, N.Records):
        return f"({hits_name(c)}.practice_code IS NOT NULL)"
    if isinstance(node, N.Latest | N.Value):
        return f"coalesce({hits_name(c)}.hit, false)"
    if isinstance(node, N.Not):
        return f"(NOT {flag(lookup(node.of), p, lookup)})"
    joiner = " AND " if isinstance(node, N.All) else " OR "
    return "(" + joiner.join(flag(lookup(m), p, lookup) for m in node.of) + ")"


def details(c: N.Criterion) -> list[str]:
    """Extra population columns: what the latest or value rule saw."""
    h = hits_name(c)
    if isinstance(c.node, N.Latest):
        return [
            f"{h}.category AS {q(c.name + '_category')}",
            f"{h}.latest_date AS {q(c.name + '_date')}",
            f"{h}.categories AS {q(c.name + '_categories')}",
        ]
    if isinstance(c.node, N.Value):
        return [f"{h}.value AS {q(c.name + '_value')}", f"{h}.value_date AS {q(c.name + '_date')}"]
    return []


def detail_names(c: N.Criterion) -> list[str]:
    if isinstance(c.node, N.Latest):
        return [f"{c.name}_category", f"{c.name}_date", f"{c.name}_categories"]
    if isinstance(c.node, N.Value):
        return [f"{c.name}_value", f"{c.name}_date"]
    return []


# --- evidence: the records behind each record-based criterion --------------------------

EVIDENCE_COLUMNS = (
    "practice_code, patient_id, rule, record_date, coding_system, code, term, codelist, version, "
    "category, role, source, in_window, value, detail"
)


def _evidence_select(
    c: N.Criterion, p: Params, in_window: str, where: str, qualify: str = ""
) -> str:
    rule = p.bind(f"{c.name}_rule", c.name)
    return (
        f"SELECT practice_code, patient_id, CAST({rule} AS VARCHAR) AS rule, record_date, coding_system, code,\n"
        f"        term, codelist, version, category, role, source, {in_window} AS in_window, value,\n"
        f"        NULL::VARCHAR AS detail\n"
        f"    FROM reached_records\n"
        f"    WHERE {where}{qualify}"
    )


def records_evidence(c: N.Criterion, node: N.Records, p: Params) -> list[str]:
    """Every record the rule counted (in its window), and the records of its unless codelist."""
    out = [_evidence_select(c, p, "true", " AND ".join(_filters(c, node, p)))]
    if node.unless:
        role = p.bind(f"{c.name}_unless_codelist", node.unless.codelist)
        out.append(_evidence_select(c, p, "true", f"role = {role}"))
    return out


def latest_evidence(c: N.Criterion, node: N.Latest, p: Params) -> list[str]:
    """The records on the latest date within the window; when none is in the window,
    the latest ever (in_window false: 'the most recent was outside the window')."""
    role = p.bind(f"{c.name}_codelist", node.codelist)
    inside = _window(c, node.within_days, p)
    in_max = f"max(record_date) FILTER (WHERE {inside}) OVER (PARTITION BY {KEY})"
    qualify = f"\n    QUALIFY record_date = coalesce({in_max}, max(record_date) OVER (PARTITION BY {KEY}))"
    return [_evidence_select(c, p, inside, f"role = {role}", qualify)]


def value_evidence(c: N.Criterion, node: N.Value, p: Params) -> list[str]:
    """Every record with a value within the window."""
    role = p.bind(f"{c.name}_codelist", node.codelist)
    where = f"role = {role} AND {_window(c, node.within_days, p)} AND value IS NOT NULL"
    return [_evidence_select(c, p, "true", where)]


EVIDENCE = {N.Records: records_evidence, N.Latest: latest_evidence, N.Value: value_evidence}


def evidence(c: N.Criterion, p: Params) -> list[str]:
    fn = EVIDENCE.get(type(c.node))
    return fn(c, c.node, p) if fn else []
