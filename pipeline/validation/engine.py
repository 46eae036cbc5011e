"""Great Expectations on the run's own DuckDB connection (SQL pushdown, no copies).

GX Core 1.24.1 cannot validate DuckDB out of the box
(docs/validation.md, "Why the workaround"; GX issues 10738 and 11579):

- it closes its SQLAlchemy connection before fetching a result, and the
  rollback on close makes DuckDB drop the pending result ("list index out of
  range"). CohortDuckDBDialect makes begin/commit/rollback no-ops; it is
  registered under its own SQLAlchemy name so the stock ``duckdb://`` dialect is
  left alone for anyone else;
- it has no DuckDB branch for regular expressions. The execution engine's
  dialect module is pointed at PostgreSQL, so GX emits ``~`` (a partial match
  in DuckDB too: suite patterns are anchored);
- it cannot open a ``.duckdb`` file the pipeline already holds. The engine's
  ``creator`` hands GX the pipeline's connection, wrapped so GX's close() is a
  no-op, through a one-connection pool.

Great Expectations is imported here only, inside functions: ``import
great_expectations`` costs seconds, and the CLI must start fast.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import duckdb

from pipeline.validation import bundle

DIALECT_NAME = "cohort_duckdb"
DATASOURCE_NAME = "run"


class KeepOpen:
    """The pipeline's DuckDB connection as GX sees it: close() does nothing."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def close(self) -> None:
        """GX closes connections it is done with; the pipeline still needs this one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


@functools.cache
def register_dialect() -> None:
    """Register CohortDuckDBDialect with SQLAlchemy as ``cohort_duckdb://``."""
    from sqlalchemy.dialects import registry

    registry.register(DIALECT_NAME, "pipeline.validation.dialect", "CohortDuckDBDialect")


def new_context():
    """An ephemeral GX context: in memory, no project folder, no cloud, no Data Docs
    site (GX would pick a temporary folder for one), no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    quiet_gx_logging()
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def quiet_gx_logging() -> None:
    """GX sets one of its loggers to INFO; keep GX to warnings like the rest of the CLI."""
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)


def add_datasource(context, con: duckdb.DuckDBPyConnection):
    """A GX SQL data source whose every query runs on CON."""
    import sqlalchemy.dialects.postgresql as postgresql
    from duckdb_engine import ConnectionWrapper
    from sqlalchemy.pool import StaticPool

    register_dialect()
    shared = KeepOpen(con)
    source = context.data_sources.add_sql(
        name=DATASOURCE_NAME,
        connection_string=f"{DIALECT_NAME}:///:memory:",
        kwargs={"creator": lambda: ConnectionWrapper(shared), "poolclass": StaticPool},
    )
    execution_engine = source.get_execution_engine()
    execution_engine.dialect_module = postgresql
    bundle.install(execution_engine)
    return source


def dispose(source) -> None:
    """Release GX's engine; the pipeline's connection stays open (KeepOpen)."""
    source.get_execution_engine().engine.dispose()
