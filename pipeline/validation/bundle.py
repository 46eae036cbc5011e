"""One scan per table: Great Expectations' aggregate metrics for a table, whatever
their row conditions, computed by one SELECT.

GX's SQL engine already computes the aggregate metrics of one *domain* (a table
and a row condition) in one query, but every row condition is a domain of its own:
the events suite's three code-shape checks (one per coding system) each scanned the
table twice more. Here the queries GX would send for one table are merged into one,
each aggregate restricted to its rows with ``FILTER (WHERE condition)`` (standard
SQL; DuckDB and PostgreSQL run it). The metric values, and so GX's results, are the
same. Queries GX sends itself (custom-SQL checks, column lists) are left alone.
"""

from __future__ import annotations

import types

SIMPLE_DOMAIN = {"batch_id", "table"}


def install(execution_engine) -> None:
    """Make EXECUTION_ENGINE compute each table's bundled metrics in one SELECT."""
    execution_engine.resolve_metric_bundle = types.MethodType(
        resolve_metric_bundle, execution_engine
    )


def resolve_metric_bundle(self, metric_fn_bundle) -> dict:
    """GX's SqlAlchemyExecutionEngine.resolve_metric_bundle, one query per table."""
    from great_expectations.core.id_dict import IDDict

    groups: dict = {}
    for query in self._organize_metrics_by_domain(metric_fn_bundle):
        domain = dict(query["domain_kwargs"])
        condition = domain.pop("row_condition", None)
        parser = domain.pop("condition_parser", None)
        key = IDDict(domain).to_id() if set(domain) <= SIMPLE_DOMAIN else id(query)
        groups.setdefault(key, []).append((query, domain, condition, parser))
    resolved: dict = {}
    for items in groups.values():
        resolved |= _resolve_group(self, items)
    return resolved


def _resolve_group(engine, items) -> dict:
    from great_expectations.core.id_dict import IDDict

    selects, ids, alone = [], [], []
    for query, _domain, condition, parser in items:
        where = _where(engine, condition, parser) if condition is not None else None
        merged = [_filtered(expr, where) for expr in query["select"]]
        if any(m is None for m in merged):
            alone.append(query)
            continue
        selects += merged
        ids += query["metric_ids"]
    resolved = {}
    if selects:
        base = engine.get_domain_records(domain_kwargs=IDDict(items[0][1]))
        resolved |= _execute(engine, selects, ids, base)
    for query in alone:
        base = engine.get_domain_records(domain_kwargs=query["domain_kwargs"])
        resolved |= _execute(engine, query["select"], query["metric_ids"], base)
    return resolved


def _where(engine, condition, parser):
    """The row condition as a SQL expression, as GX's get_domain_records builds it."""
    from great_expectations.expectations.legacy_row_conditions import (
        parse_condition_to_sqlalchemy,
    )
    from great_expectations.expectations.row_conditions import (
        Condition,
        deserialize_row_condition,
    )

    if isinstance(condition, dict):
        condition = deserialize_row_condition(condition)
    if isinstance(condition, Condition):
        return engine.condition_to_filter_clause(condition)
    return parse_condition_to_sqlalchemy(condition) if parser else None


def _filtered(expression, where):
    """EXPRESSION (a labelled aggregate) counted over the rows WHERE holds; None when
    it is not an aggregate function a FILTER clause can restrict."""
    from sqlalchemy.sql.functions import FunctionElement

    if where is None:
        return expression
    element = getattr(expression, "element", None)
    if not isinstance(element, FunctionElement):
        return None
    return element.filter(where).label(expression.name)


def _execute(engine, selects, ids, base) -> dict:
    import sqlalchemy as sa
    from great_expectations.util import convert_to_json_serializable

    labelled = [
        s.element.label(f"m{i}") if hasattr(s, "element") else s for i, s in enumerate(selects)
    ]
    source = base.subquery() if isinstance(base, sa.Select) else base
    row = engine.execute_query(sa.select(*labelled).select_from(source)).fetchall()
    assert len(row) == 1 and len(row[0]) == len(ids), "bundled metrics are single values"
    return {mid: convert_to_json_serializable(data=v) for mid, v in zip(ids, row[0], strict=True)}
