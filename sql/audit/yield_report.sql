-- What the letters yielded, to see which search rules wrote to the wrong people:
-- per practice, per chronic-pain route (with its codelist version) and per
-- codelist version where runs used different versions of a codelist, how many
-- were invited, had any outcome recorded, replied, were eligible, recruited,
-- ineligible (by reason; a complaint from someone in work counts as "in work"),
-- complained or declined. An invitation counts under every route that held for
-- it, so route rows overlap.
WITH
flags AS (
    -- One row per invitation: what its recorded outcomes say happened.
    SELECT
        i.invite_ref,
        count(o.outcome) > 0 AS recorded,
        coalesce(bool_or(o.outcome = 'complaint' AND o.reason = 'in_work'), false) AS complaint_in_work,
        coalesce(bool_or(o.outcome IN ('replied', 'eligible', 'recruited', 'ineligible', 'declined', 'complaint')), false) AS replied,
        coalesce(bool_or(o.outcome IN ('eligible', 'recruited')), false) AS eligible,
        coalesce(bool_or(o.outcome = 'recruited'), false) AS recruited,
        arg_max(o.reason, o.recorded_at) FILTER (WHERE o.outcome = 'ineligible') AS ineligible_reason,
        coalesce(bool_or(o.outcome = 'complaint'), false) AS complaint,
        coalesce(bool_or(o.outcome = 'declined'), false) AS declined,
        coalesce(bool_or(o.outcome = 'undeliverable'), false) AS undeliverable
    FROM yield_invites AS i
    LEFT JOIN outcomes AS o ON o.invite_ref = i.invite_ref
    GROUP BY i.invite_ref
),

routes AS (
    -- Each route that held for an invitation, named with the codelist version it used.
    SELECT i.invite_ref, r.route, r.role
    FROM yield_invites AS i
    CROSS JOIN (VALUES ('c1', 'chronic_pain_conditions'), ('c2', 'chronic_pain_diagnosis'),
                       ('c3', 'pain_medications')) AS r (route, role)
    WHERE (r.route = 'c1' AND i.c1) OR (r.route = 'c2' AND i.c2) OR (r.route = 'c3' AND i.c3)
),

varying AS (
    -- Codelist roles whose version differs between the runs (only these are worth a row).
    SELECT role
    FROM yield_run_codelists
    WHERE run_id IN (SELECT DISTINCT run_id FROM yield_invites)
    GROUP BY role
    HAVING count(DISTINCT codelist || ' v' || version) > 1
),

groups AS (
    SELECT invite_ref, 1 AS dim_no, 'all' AS dimension, 'all invitations' AS grp FROM yield_invites
    UNION ALL
    SELECT invite_ref, 2, 'practice', practice_code FROM yield_invites
    UNION ALL
    SELECT r.invite_ref, 3, 'route', upper(r.route) || ' ' || coalesce(c.codelist || ' v' || c.version, r.role)
    FROM routes AS r
    INNER JOIN yield_invites AS i ON i.invite_ref = r.invite_ref
    LEFT JOIN yield_run_codelists AS c ON c.run_id = i.run_id AND c.role = r.role
    UNION ALL
    SELECT i.invite_ref, 4, 'codelist', c.codelist || ' v' || c.version
    FROM yield_invites AS i
    INNER JOIN (SELECT DISTINCT run_id, role, codelist, version FROM yield_run_codelists) AS c ON c.run_id = i.run_id
    WHERE c.role IN (SELECT role FROM varying)
),

final AS (
    SELECT
        g.dim_no, g.dimension, g.grp AS "group",
        count(*) AS invited,
        count(*) FILTER (WHERE f.recorded) AS recorded,
        count(*) FILTER (WHERE f.replied) AS replied,
        count(*) FILTER (WHERE f.eligible) AS eligible,
        count(*) FILTER (WHERE f.recruited) AS recruited,
        count(*) FILTER (WHERE f.ineligible_reason = 'in_work' OR f.complaint_in_work) AS ineligible_in_work,
        count(*) FILTER (WHERE f.ineligible_reason = 'retired') AS ineligible_retired,
        count(*) FILTER (WHERE f.ineligible_reason = 'no_chronic_pain') AS ineligible_no_chronic_pain,
        count(*) FILTER (WHERE f.ineligible_reason = 'moved') AS ineligible_moved,
        count(*) FILTER (WHERE f.ineligible_reason = 'other') AS ineligible_other,
        count(*) FILTER (WHERE f.complaint) AS complaints,
        count(*) FILTER (WHERE f.declined) AS declined,
        count(*) FILTER (WHERE f.undeliverable) AS undeliverable
    FROM groups AS g
    INNER JOIN flags AS f ON f.invite_ref = g.invite_ref
    GROUP BY g.dim_no, g.dimension, g.grp
)

SELECT * EXCLUDE (dim_no) FROM final
ORDER BY dim_no, "group"
