"""The study's generated statements: roles, population, evidence, attrition, definition.

Each is assembled from the study tree (pipeline/study/nodes.py) with the node
functions of pipeline/study/compile_nodes.py, as a CTE chain that opens with a
comment saying its intent. The built-in final steps (already invited, do not
contact, screened out, data quality) are the same text for every study.
"""

from __future__ import annotations

import json

from pipeline.db import quote_ident as q
from pipeline.study import compile_nodes as C
from pipeline.study import nodes as N
from pipeline.study.model import Study

KEY_JOIN = "{t}.practice_code = w.practice_code AND {t}.patient_id = w.patient_id"


def _ctes(parts: list[tuple[str, str]]) -> str:
    return ",\n\n".join(f"{name} AS (\n{body}\n)" for name, body in parts)


def _lookback(study: Study, alias: str, p: C.Params) -> str:
    days = C.lookback_days(study.criteria, alias)
    return "NULL" if days is None else p.bind(f"lookback_{alias}", days)


def roles_sql(study: Study, p: C.Params) -> str:
    rows = ",\n        ".join(
        f"({p.bind(f'role_{alias}', alias)}, {p.bind(f'codelist_{alias}', name)}, "
        f"{p.bind(f'version_{alias}', version)}, {_lookback(study, alias, p)})"
        for alias, name, version in study.codelist_refs()
    )
    return (
        "-- The study's codelists by the alias its criteria use, mapped to the codelist name\n"
        "-- and version the study file pins (studies/*.yaml, `codelists:`). Every rule finds\n"
        "-- its codes through this table, never by a codelist name in SQL text.\n"
        "-- lookback_days: the oldest record (days before D) any rule or its evidence reads\n"
        "-- from that codelist (the widest window; NULL: every record, e.g. for a latest-record\n"
        "-- rule or the codelist of an unless); study_records keeps no older one.\n"
        "CREATE OR REPLACE TEMP TABLE study_roles AS\n"
        "WITH\n"
        f"pins AS (\n    SELECT * FROM (VALUES\n        {rows}\n    ) AS p (role, codelist, version, lookback_days)\n),\n\n"
        "final AS (\n"
        "    SELECT CAST(role AS VARCHAR) AS role, CAST(codelist AS VARCHAR) AS codelist,\n"
        "        CAST(version AS VARCHAR) AS version, CAST(lookback_days AS INTEGER) AS lookback_days\n"
        "    FROM pins\n)\n\n"
        "SELECT * FROM final ORDER BY role"
    )


# --- population ---------------------------------------------------------------------

BASE = """    -- Each patient with their practice's index date D, their age on D in completed
    -- years (the birthday counts once D reaches its month and day; born 29 February:
    -- in a year without one, D = 28 February is before the birthday and D = 1 March
    -- on or after it, so the birthday is 1 March), and whether they are registered
    -- and alive on D (the data-quality hold needs that whatever the study asks).
    -- Only the columns a rule or the hold reads (not names or address lines 2-4).
    SELECT
        p.practice_code, p.patient_id, p.nhs_number, p.nhs_number_valid, p.sex, p.date_of_birth,
        p.registration_date, p.deregistration_date, p.date_of_death, p.address_line_1,
        p.postcode, p.postcode_valid,
        rp.index_date,
        year(rp.index_date) - year(p.date_of_birth)
        - CASE
            WHEN month(rp.index_date) * 100 + day(rp.index_date) < month(p.date_of_birth) * 100 + day(p.date_of_birth)
                THEN 1
            ELSE 0
        END AS age,
        p.registration_date <= rp.index_date
        AND (p.deregistration_date IS NULL OR p.deregistration_date > rp.index_date)
        AND (p.date_of_death IS NULL OR p.date_of_death > rp.index_date) AS live_on_index_date
    FROM patients AS p
    INNER JOIN run_practices AS rp ON rp.practice_code = p.practice_code"""

BUILT_IN = [
    (
        "invited_before",
        """    -- Already invited to this study from this workspace (live ledger rows): the
    -- same practice and patient id, or the same NHS number at any practice.
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN prior_invitations AS i ON i.practice_code = p.practice_code AND i.patient_id = p.patient_id
    UNION
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN prior_invitations AS i ON cf_nhs(i.nhs_number) = p.nhs_number""",
    ),
    (
        "on_do_not_contact",
        """    -- On the workspace's do-not-contact list (complaints, refusals): by practice
    -- and patient id, or by NHS number at any practice.
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN do_not_contact AS d ON d.practice_code = p.practice_code AND d.patient_id = p.patient_id
    UNION
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN do_not_contact AS d ON cf_nhs(d.nhs_number) = p.nhs_number""",
    ),
    (
        "on_screened_out",
        """    -- Excluded from this study by a GP at screening (workspace screening_decisions,
    -- copied as screened_out): by practice and patient id, or by NHS number.
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN screened_out AS s ON s.practice_code = p.practice_code AND s.patient_id = p.patient_id
    UNION
    SELECT p.practice_code, p.patient_id
    FROM patients AS p
    INNER JOIN screened_out AS s ON cf_nhs(s.nhs_number) = p.nhs_number""",
    ),
    (
        "listed",
        """    SELECT
        c.*,
        (i.patient_id IS NOT NULL) AS already_invited,
        (d.patient_id IS NOT NULL) AS do_not_contact,
        (s.patient_id IS NOT NULL) AS screened_out
    FROM criteria AS c
    LEFT JOIN invited_before AS i ON i.practice_code = c.practice_code AND i.patient_id = c.patient_id
    LEFT JOIN on_do_not_contact AS d ON d.practice_code = c.practice_code AND d.patient_id = c.patient_id
    LEFT JOIN on_screened_out AS s ON s.practice_code = c.practice_code AND s.patient_id = c.patient_id""",
    ),
    (
        "shared_numbers",
        """    -- A valid NHS number held by two or more patients who are registered and alive on
    -- D (in one practice or across the run's practices) belongs to one person at
    -- most: writing to both could reach the wrong person, so both are held back.
    SELECT nhs_number
    FROM base
    WHERE live_on_index_date AND coalesce(nhs_number_valid, false)
    GROUP BY nhs_number
    HAVING count(*) > 1""",
    ),
    (
        "shared_nhs",
        """    SELECT
        l.*,
        coalesce(l.nhs_number_valid, false) AND l.live_on_index_date
        AND s.nhs_number IS NOT NULL AS nhs_shared
    FROM listed AS l
    LEFT JOIN shared_numbers AS s ON s.nhs_number IS NOT DISTINCT FROM l.nhs_number""",
    ),
    (
        "data_quality",
        """    -- Data-quality hold: a record that cannot be mailed safely is held back with
    -- every reason that applies (never silently dropped).
    SELECT
        *,
        nullif(concat_ws(
            '; ',
            CASE WHEN nhs_number IS NOT NULL AND NOT coalesce(nhs_number_valid, true)
                THEN 'NHS number fails the Modulus 11 check' END,
            CASE WHEN nhs_shared THEN 'NHS number shared with another registered patient' END,
            CASE WHEN cf_text(address_line_1) IS NULL THEN 'address line 1 missing' END,
            CASE
                WHEN cf_text(postcode) IS NULL THEN 'postcode missing'
                WHEN NOT coalesce(postcode_valid, false) THEN 'postcode not a valid UK format'
            END
        ), '') AS dq_reason
    FROM shared_nhs""",
    ),
]
BUILT_IN_CASES = (
    "        WHEN already_invited THEN 'already_invited'\n"
    "        WHEN do_not_contact THEN 'do_not_contact'\n"
    "        WHEN screened_out THEN 'screened_out'\n"
    "        WHEN dq_reason IS NOT NULL THEN 'data_quality'"
)


def population_sql(study: Study, p: C.Params) -> str:
    lookup = study.criterion
    leaves = [cte for c in study.criteria for cte in C.hits(c, p)]
    parts = [("base", BASE), *leaves, ("criteria", _criteria_cte(study, p, lookup))]
    parts += BUILT_IN + [("decided", _decided(study, p)), ("final", _final(study))]
    return (
        "-- Who is invited: every patient in the extracts, judged at their practice's index\n"
        "-- date D by each criterion of the study (one flag column per criterion, named\n"
        "-- after it), then the first step that stopped them (stopped_by) and their score.\n"
        "-- Flags are worked out for every patient, so a complaint can be answered for any\n"
        "-- of them. Reads study_records (records.sql).\n"
        "CREATE OR REPLACE TABLE population AS\nWITH\n"
        + _ctes(parts)
        + "\n\nSELECT * FROM final\nORDER BY practice_code, patient_id"
    )


def _criteria_cte(study: Study, p: C.Params, lookup) -> str:
    cols = [f"        {C.flag(c, p, lookup)} AS {q(c.name)}" for c in study.criteria]
    cols += [f"        {d}" for c in study.criteria for d in C.details(c)]
    joins = [
        f"    LEFT JOIN {C.hits_name(c)} ON {KEY_JOIN.format(t=C.hits_name(c))}"
        for c in study.criteria
        if isinstance(c.node, N.RECORD_NODES)
    ]
    return (
        "    -- Every criterion's flag (true when it holds), and what the latest-record and\n"
        "    -- value rules saw.\n"
        "    SELECT\n        w.*,\n"
        + ",\n".join(cols)
        + "\n    FROM base AS w"
        + ("\n" + "\n".join(joins) if joins else "")
    )


def _decided(study: Study, p: C.Params) -> str:
    cases = []
    for i, step in enumerate(study.steps, start=1):
        test = q(step.criterion) if step.exclude else f"NOT {q(step.criterion)}"
        cases.append(f"        WHEN {test} THEN {p.bind(f'stop_{i}', step.stop)}")
    score = (
        " + ".join(
            f"CASE WHEN {q(name)} THEN {p.bind(f'score_{name}', points)} ELSE 0 END"
            for name, points in study.score
        )
        or "0"
    )
    evidence = q(study.out_of_work_evidence) if study.out_of_work_evidence else "NULL"
    return (
        "    -- The first step that failed, in the study's order (NULL when invited); the\n"
        "    -- score (points for each scoring criterion held) and out-of-work evidence.\n"
        "    SELECT\n        *,\n        CASE\n"
        + "\n".join(cases)
        + "\n"
        + BUILT_IN_CASES
        + "\n        END AS stopped_by,\n"
        f"        CAST({score} AS INTEGER) AS score,\n"
        f"        CAST({evidence} AS BOOLEAN) AS out_of_work_evidence\n"
        "    FROM data_quality"
    )


def population_columns(study: Study) -> list[str]:
    cols = ["practice_code", "patient_id", "index_date", "age"]
    cols += [c.name for c in study.criteria]
    cols += [d for c in study.criteria for d in C.detail_names(c)]
    return cols + ["already_invited", "do_not_contact", "screened_out", "dq_reason", "score",
                   "out_of_work_evidence", "stopped_by"]  # fmt: skip


def _final(study: Study) -> str:
    cols = ", ".join(q(c) for c in population_columns(study))
    return f"    SELECT\n        {cols},\n        stopped_by IS NULL AS invited\n    FROM decided"


# --- the stored definition ------------------------------------------------------------


def definition(study: Study) -> dict:
    """The study tree as plain data (JSON), stored in the run for explain and the report."""
    return {
        "name": study.name,
        "title": study.title,
        "codelists": [{"alias": a, "name": n, "version": v} for a, n, v in study.codelist_refs()],
        "criteria": [
            {
                "name": c.name,
                "label": c.label,
                "kind": c.kind,
                "members": list(c.members()),
                "definition": _plain(c.node),
            }
            for c in study.criteria
        ],  # fmt: skip
        "steps": [
            {
                "position": i,
                "stop": s.stop,
                "criterion": s.criterion or None,
                "exclude": s.exclude,
                "label": s.label,
            }
            for i, s in enumerate(study.all_steps(), start=1)
        ],  # fmt: skip
        "score": dict(study.score),
        "out_of_work_evidence": study.out_of_work_evidence,
    }


def _plain(node) -> dict:
    out = {}
    for key, value in vars(node).items():
        if isinstance(value, N.Unless):
            value = _plain(value)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def definition_sql(study: Study, p: C.Params) -> str:
    tree = json.dumps(definition(study), sort_keys=True)
    return (
        "-- The study as the run applied it: its criteria (name, label, node type and\n"
        "-- numbers) and steps in order, as JSON. `cohort explain` and the report read it.\n"
        "CREATE OR REPLACE TABLE study_definition AS\n"
        "WITH\nfinal AS (\n"
        f"    SELECT CAST({p.bind('study_name', study.name)} AS VARCHAR) AS study,\n"
        f"        CAST({p.bind('study_tree', tree)} AS VARCHAR) AS tree\n)\n\n"
        "SELECT * FROM final"
    )
