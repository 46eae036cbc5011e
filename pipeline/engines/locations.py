"""EXTRACT arguments: local folders for DuckDB; local folders or URIs for Spark."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import UsageError


def extract_paths(given: tuple[str, ...], *, engine: str) -> tuple[Path, ...]:
    """GIVEN as Paths (a file:// URI as its local path). A URI of another scheme is
    refused on DuckDB, which reads local folders only; on Spark it is kept as typed
    (StudyOptions.locations) and its Path here only names it."""
    from pipeline.engines.spark.files import local_path

    paths = []
    for location in given:
        local = local_path(location)
        if local is None and engine != "spark":
            raise UsageError(
                f"{location}: the DuckDB engine reads local folders only; "
                "use --engine spark to read an extract at a URI"
            )
        paths.append(local if local is not None else Path(location))
    return tuple(paths)
