"""The evidence and attrition statements, generated from the study's tree.

Evidence: for each patient who got past the population steps (registered,
alive, age...), the records behind every record-based criterion, the ledger,
do-not-contact and screening matches, and the decision. Attrition: how many
patients remain after each step, for the run and for each practice; a step
that requires an `any` criterion also lists how many met each of its members.
"""

from __future__ import annotations

from pipeline.db import quote_ident as q
from pipeline.study import compile_nodes as C
from pipeline.study import nodes as N
from pipeline.study.model import Study

LIST_MATCHES = """    -- Earlier invitations, do-not-contact entries and GP screening exclusions that
    -- match: by practice and patient id, or else by NHS number (another practice).
    SELECT p.practice_code, p.patient_id, 'already_invited' AS rule, 'ledger' AS source,
        i.invite_ref AS code, 'invited in run ' || i.run_id || '; matched by practice and patient id' AS detail
    FROM reached AS p
    INNER JOIN prior_invitations AS i ON i.practice_code = p.practice_code AND i.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'already_invited', 'ledger', i.invite_ref,
        'invited in run ' || i.run_id || '; matched by NHS number'
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN prior_invitations AS i ON cf_nhs(i.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(i.practice_code = p.practice_code AND i.patient_id = p.patient_id, false)
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'do_not_contact', 'do_not_contact', NULL,
        'reason: ' || coalesce(d.reason, 'not given') || ' (matched by practice and patient id)'
    FROM reached AS p
    INNER JOIN do_not_contact AS d ON d.practice_code = p.practice_code AND d.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'do_not_contact', 'do_not_contact', NULL,
        'reason: ' || coalesce(d.reason, 'not given') || ' (matched by NHS number)'
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN do_not_contact AS d ON cf_nhs(d.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(d.practice_code = p.practice_code AND d.patient_id = p.patient_id, false)
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'screened_out', 'screening', NULL,
        'excluded at screening in run ' || s.run_id || ' (' || coalesce(s.reason, 'no reason given')
        || '; matched by practice and patient id)'
    FROM reached AS p
    INNER JOIN screened_out AS s ON s.practice_code = p.practice_code AND s.patient_id = p.patient_id
    UNION ALL
    SELECT p.practice_code, p.patient_id, 'screened_out', 'screening', NULL,
        'excluded at screening in run ' || s.run_id || ' (' || coalesce(s.reason, 'no reason given')
        || '; matched by NHS number)'
    FROM reached AS p
    INNER JOIN patients AS pt ON pt.practice_code = p.practice_code AND pt.patient_id = p.patient_id
    INNER JOIN screened_out AS s ON cf_nhs(s.nhs_number) = pt.nhs_number
    WHERE NOT coalesce(s.practice_code = p.practice_code AND s.patient_id = p.patient_id, false)"""

LIST_EVIDENCE = """    SELECT
        practice_code, patient_id, rule, NULL::DATE AS record_date, NULL::VARCHAR AS coding_system,
        code, NULL::VARCHAR AS term, NULL::VARCHAR AS codelist, NULL::VARCHAR AS version,
        NULL::VARCHAR AS category, NULL::VARCHAR AS role, source, NULL::BOOLEAN AS in_window,
        NULL::DOUBLE AS value, detail
    FROM list_matches"""

REACHED_RECORDS = """    -- Their coded records on or before D (study_records), with the code, term,
    -- codelist and version of each (study_codes).
    SELECT
        r.practice_code, r.patient_id, r.role, r.record_date, r.days_before, r.source,
        c.coding_system, c.code, c.term, c.codelist, c.version, r.category, r.value
    FROM study_records AS r
    INNER JOIN reached AS p ON p.practice_code = r.practice_code AND p.patient_id = r.patient_id
    INNER JOIN study_codes AS c ON c.code_id = r.code_id"""

DECISION = """    -- One row per patient: the first step that stopped them, or 'invited'.
    SELECT
        practice_code, patient_id, 'decision' AS rule, index_date AS record_date,
        NULL::VARCHAR AS coding_system, NULL::VARCHAR AS code, NULL::VARCHAR AS term,
        NULL::VARCHAR AS codelist, NULL::VARCHAR AS version,
        coalesce(stopped_by, 'invited') AS category, NULL::VARCHAR AS role, 'study' AS source,
        NULL::BOOLEAN AS in_window, NULL::DOUBLE AS value, dq_reason AS detail
    FROM reached"""


def population_only(study: Study, name: str) -> bool:
    """Whether criterion NAME (and everything it refers to) reads the patient row only."""
    c = study.criterion(name)
    if isinstance(c.node, N.POPULATION_NODES):
        return True
    members = c.members()
    return bool(members) and all(population_only(study, m) for m in members)


def leading_stops(study: Study) -> list[str]:
    """The stop names of the first steps that read the patient row only (no evidence after them)."""
    out = []
    for step in study.steps:
        if not population_only(study, step.criterion):
            break
        out.append(step.stop)
    return out


STORED = (
    "    -- The patients whose evidence every run keeps: those the rules let through\n"
    "    -- (invited, or deferred beyond capacity) and those held for data quality.\n"
    "    -- Anyone else's is worked out when asked (`cohort explain`) by evidence_query.\n"
    "    SELECT * FROM population\n"
    "    WHERE invited OR stopped_by = 'data_quality'"
)


def evidence_sql(study: Study, p: C.Params) -> str:
    """The stored evidence table: for invitees, deferred and quarantined patients."""
    return (
        "-- Why each patient the rules let through (or held for data quality) was chosen,\n"
        '-- record by record, so that "why was I written to?" is answered months later\n'
        "-- from the run itself: `cohort explain` reads this table.\n"
        "CREATE OR REPLACE TABLE evidence AS\n" + evidence_query(study, p, reached=STORED)
    )


def on_demand_reached(study: Study, p: C.Params) -> str:
    """Everyone past the population steps (`cohort explain` narrows population to one patient)."""
    stops = p.bind("evidence_leading_stops", leading_stops(study))
    return (
        "    -- Patients past the population steps (their records are the evidence).\n"
        "    SELECT * FROM population\n"
        f"    WHERE NOT coalesce(list_contains(CAST({stops} AS VARCHAR[]), stopped_by), false)"
    )


def evidence_query(study: Study, p: C.Params, *, reached: str) -> str:
    """The evidence rows of the patients REACHED selects, one SELECT per record-based criterion."""
    selects = [s for c in study.criteria for s in C.evidence(c, p)]
    coded = "\n    UNION ALL\n    ".join(selects) if selects else _no_records()
    rules = (
        ["decision"]
        + [c.name for c in study.criteria]
        + ["already_invited", "do_not_contact", "screened_out"]
    )
    parts = [
        ("reached", reached),
        ("reached_records", REACHED_RECORDS),
        ("coded_evidence", "    -- The records behind each record-based criterion (one SELECT per criterion,\n"
                           "    -- all in one column order, so a positional UNION ALL suffices).\n"
                           f"    {coded}"),
        ("list_matches", LIST_MATCHES),
        ("list_evidence", LIST_EVIDENCE),
        ("decision", DECISION),
        ("final", "    SELECT * FROM coded_evidence\n    UNION ALL SELECT * FROM list_evidence\n"
                  "    UNION ALL SELECT * FROM decision"),
    ]  # fmt: skip
    order = p.bind("evidence_rule_order", rules)
    return (
        "WITH\n"
        + ",\n\n".join(f"{name} AS (\n{body}\n)" for name, body in parts)
        + "\n\nSELECT * FROM final\nORDER BY\n    practice_code, patient_id,\n"
        f"    list_position(CAST({order} AS VARCHAR[]), rule),\n"
        "    record_date, coding_system, code, role, detail"
    )


def _no_records() -> str:
    """An empty evidence SELECT, for a study with no record-based criterion."""
    return (
        "SELECT NULL::VARCHAR AS practice_code, NULL::VARCHAR AS patient_id, NULL::VARCHAR AS rule,\n"
        "        NULL::DATE AS record_date, NULL::VARCHAR AS coding_system, NULL::VARCHAR AS code,\n"
        "        NULL::VARCHAR AS term, NULL::VARCHAR AS codelist, NULL::VARCHAR AS version,\n"
        "        NULL::VARCHAR AS category, NULL::VARCHAR AS role, NULL::VARCHAR AS source,\n"
        "        NULL::BOOLEAN AS in_window, NULL::DOUBLE AS value, NULL::VARCHAR AS detail\n"
        "    WHERE false"
    )


# --- attrition -------------------------------------------------------------------------


def attrition_rows(study: Study) -> list[tuple[int, int, str, str, bool, str | None]]:
    """(row_no, step_no, step, label, is_member, member criterion) in order."""
    rows = [(1, 0, "extract", "Patients in the extracts", False, None)]
    for step_no, step in enumerate(study.all_steps(), start=1):
        rows.append((len(rows) + 1, step_no, step.stop, step.label, False, None))
        c = study.criterion(step.criterion) if step.criterion else None
        if c is not None and isinstance(c.node, N.Any) and not step.exclude:
            for m in c.node.of:
                rows.append((len(rows) + 1, step_no, m, "  " + study.criterion(m).label, True, m))
    rows.append((len(rows) + 1, len(study.all_steps()) + 1, "invited", "Invited", False, None))
    return rows


def attrition_sql(study: Study, p: C.Params) -> str:
    rows = attrition_rows(study)
    values = ",\n        ".join(
        f"({r}, {s}, {p.bind(f'attrition_step_{r}', step)}, {p.bind(f'attrition_label_{r}', label)}, "
        f"{'true' if member else 'false'})"
        for r, s, step, label, member, _ in rows
    )
    stops = p.bind("attrition_stops", [s.stop for s in study.all_steps()])
    members = [(s, m) for _, s, _, _, is_member, m in rows if is_member]
    flags = "".join(f", {q(m)}" for m in sorted({m for _, m in members}))
    met = (
        "\n        UNION ALL\n        ".join(
            f"SELECT practice_code, {p.bind(f'attrition_member_{m}', m)} AS step FROM tagged WHERE stop_pos >= {s} AND {q(m)}"
            for s, m in members
        )
        or "SELECT NULL::VARCHAR AS practice_code, NULL::VARCHAR AS step WHERE false"
    )
    tag = f"coalesce(list_position(CAST({stops} AS VARCHAR[]), stopped_by), 1000) AS stop_pos"
    return ATTRITION.format(values=values, tag=tag, flags=flags, met=met)


ATTRITION = """-- How many patients remain after each step, in the study's order, for the whole
-- run (practice_code 'ALL') and for each practice: the count a practice can check
-- against its own search. A step that requires any one of several criteria also
-- lists how many of the patients it was applied to met each (they overlap, so
-- those rows have no 'removed' count and do not add up).
CREATE OR REPLACE TABLE attrition AS
WITH
steps AS (
    -- The steps in order; 'step' is the stop name in population.stopped_by.
    SELECT * FROM (VALUES
        {values}
    ) AS s (row_no, step_no, step, label, is_member)
),

scopes AS (
    -- Each practice of the run, and 'ALL' for the total.
    SELECT practice_code FROM run_practices
    UNION ALL
    SELECT 'ALL' AS practice_code
),

tagged AS (
    -- Every patient twice: under their practice and under ALL, with the position
    -- of the step that stopped them (1000: invited).
    SELECT practice_code, stopped_by, {tag}{flags}
    FROM population
    UNION ALL
    SELECT 'ALL' AS practice_code, stopped_by, {tag}{flags}
    FROM population
),

removed AS (
    SELECT practice_code, stopped_by AS step, count(*) AS removed
    FROM tagged
    WHERE stopped_by IS NOT NULL
    GROUP BY practice_code, stopped_by
),

members AS (
    -- Patients reaching an any-of step who met each of its criteria.
    SELECT practice_code, step, count(*) AS met
    FROM (
        {met}
    )
    GROUP BY practice_code, step
),

totals AS (
    SELECT practice_code, count(*) AS total FROM tagged GROUP BY practice_code
),

counted AS (
    SELECT
        sc.practice_code, s.row_no, s.step_no, s.step, s.label, s.is_member,
        coalesce(t.total, 0) AS total,
        CASE WHEN s.is_member THEN 0 ELSE coalesce(r.removed, 0) END AS removed,
        coalesce(m.met, 0) AS met
    FROM scopes AS sc
    CROSS JOIN steps AS s
    LEFT JOIN totals AS t ON t.practice_code = sc.practice_code
    LEFT JOIN removed AS r ON r.practice_code = sc.practice_code AND r.step = s.step AND NOT s.is_member
    LEFT JOIN members AS m ON m.practice_code = sc.practice_code AND m.step = s.step AND s.is_member
),

final AS (
    SELECT
        practice_code, row_no, step_no, step, label,
        CASE
            WHEN is_member THEN met
            ELSE total - sum(removed) OVER (PARTITION BY practice_code ORDER BY row_no)
        END AS remaining,
        CASE WHEN is_member THEN NULL ELSE removed END AS removed
    FROM counted
)

SELECT * FROM final
ORDER BY practice_code = 'ALL' DESC, practice_code, row_no"""
