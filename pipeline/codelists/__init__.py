"""Versioned clinical codelists: definitions, expansion, the lock, and compilation into DuckDB.

Layers (docs/codelists.md): ``parse`` / ``repository`` read files into the frozen
objects of ``model``; ``expand`` is the expansion in plain Python (what the lock
hashes); ``compile`` loads versions into DuckDB and runs sql/codelists/*.sql.
"""

from pipeline.codelists.model import CodelistVersion, Entry, KnownCode, Link
from pipeline.codelists.repository import Repository, load_repository

__all__ = ["CodelistVersion", "Entry", "KnownCode", "Link", "Repository", "load_repository"]
