"""Loading practice extracts into the run's DuckDB database."""

from pipeline.extract.loader import LoadResult, find_practice_folders, load_extracts

__all__ = ["LoadResult", "find_practice_folders", "load_extracts"]
