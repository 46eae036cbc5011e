"""Great Expectations suites that can stop a run (docs/validation.md).

``run_suites(con, names, out_dir=...)`` validates the run's DuckDB tables with
the suite files in expectations/ and returns a ValidationSummary;
``summary.raise_if_blocking()`` stops the run. Importing this package does not
import Great Expectations (that costs seconds); running a suite does.
"""

from pipeline.validation.results import Outcome, ValidationSummary, text_summary, write_results
from pipeline.validation.runner import run_suites
from pipeline.validation.suites import EXTRACT_SUITES, read_suite

__all__ = [
    "EXTRACT_SUITES",
    "Outcome",
    "ValidationSummary",
    "read_suite",
    "run_suites",
    "text_summary",
    "write_results",
]
