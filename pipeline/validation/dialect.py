"""The duckdb-engine SQLAlchemy dialect with no-op transactions, for GX only.

SQLAlchemy imports this module when GX creates its engine
(pipeline.validation.engine registers it as ``cohort_duckdb://``); nothing else
imports it.

GX reads a result after closing the SQLAlchemy connection that produced it;
with real transactions the rollback on close discards DuckDB's pending result.
GX only reads, and the connection belongs to the pipeline, which runs its own
statements in autocommit mode: GX must neither begin nor end its transactions.
"""

from __future__ import annotations

from duckdb_engine import Dialect


class CohortDuckDBDialect(Dialect):
    """duckdb-engine's dialect whose begin, commit and rollback do nothing."""

    supports_statement_cache = False

    def do_begin(self, dbapi_connection) -> None:
        """GX never needs a transaction: it only reads."""

    def do_commit(self, dbapi_connection) -> None:
        """Nothing was begun, so nothing to commit."""

    def do_rollback(self, dbapi_connection) -> None:
        """Rolling back would discard the result GX is about to fetch."""
