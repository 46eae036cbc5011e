"""Where the project's own files live (the repository checkout)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
CODELISTS_DIR = ROOT / "codelists"
STUDIES_DIR = ROOT / "studies"
EXPECTATIONS_DIR = ROOT / "expectations"
TEMPLATES_DIR = ROOT / "templates"
DEFAULT_STUDY = STUDIES_DIR / "instep.yaml"
