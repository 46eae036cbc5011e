"""The canary for the GX-on-DuckDB workaround (pipeline/validation/engine.py).

great-expectations, duckdb-engine and SQLAlchemy are pinned; when one of them
changes, these tests say whether the workaround still holds: GX's counts on a
small DuckDB table must equal plain SQL counts, GX must read the pipeline's own
connection (a TEMP table only that connection can see), and the connection
must still work afterwards.
"""

from __future__ import annotations

import duckdb
import pytest

from pipeline.validation import engine
from pipeline.validation.runner import _error as gx_error

ROWS = """
    ('1', DATE '1980-01-01', 'readv2',   'N245.',     'F', 10.0),
    ('2', DATE '1019-05-05', 'readv2',   'N24',       'M', 20.0),
    ('3', DATE '1990-07-01', 'snomedct', '279039007', 'X', NULL),
    ('3', DATE '2001-02-03', 'snomedct', '12345',     NULL, 40.0)
"""


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    # TEMP: visible only on this connection, so GX can only see it through it.
    con.execute(
        "CREATE TEMP TABLE canary (patient_id VARCHAR, event_date DATE, coding_system VARCHAR,"
        " code VARCHAR, sex VARCHAR, value DOUBLE)"
    )
    con.execute(f"INSERT INTO canary VALUES {ROWS}")
    yield con
    con.close()


def _expectations():
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return {
        "not_null": gxe.ExpectColumnValuesToNotBeNull(column="sex"),
        "between_dates": gxe.ExpectColumnValuesToBeBetween(
            column="event_date", min_value="1900-01-01"
        ),
        "in_set": gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F", "I", "U"]),
        "regex": gxe.ExpectColumnValuesToMatchRegex(
            column="code",
            regex="^[0-9]{6,18}$",
            row_condition=Column("coding_system") == "snomedct",
        ),
        "regex_readv2": gxe.ExpectColumnValuesToMatchRegex(
            column="code",
            regex="^[A-Za-z0-9.]{5}$",
            row_condition=Column("coding_system") == "readv2",
        ),
        "unique": gxe.ExpectColumnValuesToBeUnique(column="patient_id"),
        "rows": gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="SELECT * FROM {batch} WHERE value > 15"
        ),
    }


PLAIN_SQL = {
    "not_null": "SELECT count(*) FROM canary WHERE sex IS NULL",
    "between_dates": "SELECT count(*) FROM canary WHERE event_date < DATE '1900-01-01'",
    "in_set": "SELECT count(*) FROM canary WHERE sex NOT IN ('M', 'F', 'I', 'U')",
    "regex": "SELECT count(*) FROM canary WHERE coding_system = 'snomedct' AND NOT regexp_full_match(code, '[0-9]{6,18}')",
    "regex_readv2": "SELECT count(*) FROM canary WHERE coding_system = 'readv2' AND NOT regexp_full_match(code, '[A-Za-z0-9.]{5}')",
    "unique": "SELECT count(*) FROM canary WHERE patient_id IN (SELECT patient_id FROM canary GROUP BY 1 HAVING count(*) > 1)",
    "rows": "SELECT count(*) FROM canary WHERE value > 15",
}


def _validate(con, connection_string: str | None = None):
    import great_expectations as gx

    context = engine.new_context()
    source = engine.add_datasource(context, con)
    if connection_string:  # the stock dialect, for the upstream-fix check below
        source.connection_string = connection_string
        import sqlalchemy.dialects.postgresql as postgresql

        source.get_execution_engine().dialect_module = postgresql
    batch = (
        source.add_table_asset(name="canary", table_name="canary")
        .add_batch_definition_whole_table(name="all")
        .get_batch()
    )
    expectations = _expectations()
    for name, exp in expectations.items():
        exp.meta = {"name": name}
    suite = context.suites.add(
        gx.ExpectationSuite(name="canary", expectations=list(expectations.values()))
    )
    result = batch.validate(suite, result_format="BASIC")
    engine.dispose(source)
    return {res.expectation_config.meta["name"]: res for res in result.results}


def test_gx_counts_on_the_pipelines_connection_equal_plain_sql(con):
    results = _validate(con)
    for name, res in results.items():
        assert gx_error(res) is None, f"{name}: {gx_error(res)}"
        found = res.result.get("unexpected_count", res.result.get("observed_value"))
        expected = con.execute(PLAIN_SQL[name]).fetchone()[0]
        assert found == expected, name
        assert res.success is (expected == 0), name


def test_the_connection_still_works_after_gx(con):
    _validate(con)
    con.execute("INSERT INTO canary VALUES ('9', DATE '2000-01-01', 'ctv3', 'XaZ89', 'U', 1.0)")
    assert con.execute("SELECT count(*) FROM canary").fetchone()[0] == 5
    con.execute("DELETE FROM canary WHERE patient_id = '9'")


def test_stock_duckdb_dialect_still_needs_the_workaround(con):
    """If this fails, GX reads DuckDB results correctly without no-op transactions:
    the CohortDuckDBDialect part of the workaround may be removable."""
    results = _validate(con, connection_string="duckdb:///:memory:")
    assert any(gx_error(res) for res in results.values())


def test_aggregates_under_different_row_conditions_share_one_scan(con):
    """pipeline/validation/bundle.py: GX's per-domain queries merged into one SELECT
    per round, each aggregate restricted with FILTER (WHERE …): no query of GX's
    own scans a row-condition subset of the table on its own."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        results = _validate(con)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert results["regex"].result["unexpected_count"] == 1
    assert results["regex_readv2"].result["unexpected_count"] == 1
    aggregates = [
        s
        for s in statements
        if s.startswith(("SELECT sum(", "SELECT count(")) and " FROM (SELECT * FROM canary" in s
    ]
    assert not [s for s in aggregates if "WHERE coding_system" in s.split(" FROM ", 1)[1]]
    merged = [s for s in aggregates if "FILTER (WHERE coding_system" in s]
    assert merged and all("readv2" not in s and "snomedct" not in s for s in merged)  # values bound
    assert any(s.count("FILTER (WHERE") >= 2 for s in merged)
