"""Suite-wide settings.

`cohort run` prints letters.pdf with headless Chromium when it is installed; the
end-to-end tests don't need it and it costs seconds per practice, so runs started
by the suite skip PDFs (COHORT_PDF=never). The PDF tests call the renderer directly.
"""

import os

os.environ.setdefault("COHORT_PDF", "never")

# The engine the study's spec tests run on (tests/study/world.py): DuckDB in `make test`,
# Spark in `make test-spark` (--engine spark, after `make spark`). Tests marked `spark` need
# a Spark session and run only with --engine spark; tests marked `duckdb_only` check
# something of the DuckDB engine alone and are skipped there.
import pytest  # noqa: E402

ENGINES = ("duckdb", "spark")


def pytest_addoption(parser):
    parser.addoption(
        "--engine",
        choices=ENGINES,
        default=os.environ.get("COHORT_TEST_ENGINE", "duckdb"),
        help="engine for the study spec tests (default duckdb; spark needs `make spark`)",
    )


def pytest_configure(config):
    os.environ["COHORT_TEST_ENGINE"] = config.getoption("--engine")  # read by tests/study/world.py


def pytest_collection_modifyitems(config, items):
    engine = config.getoption("--engine")
    for item in items:
        if engine != "spark" and "spark" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs --engine spark (make test-spark)"))
        if engine == "spark" and "duckdb_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="checks the DuckDB engine only"))
