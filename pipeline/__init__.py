"""Cohort Finder: find and invite the right patients for a study from GP practice extracts."""

import sys

__version__ = "0.1.0"

# Great Expectations probes for pyspark when it is imported. With the optional Spark engine
# installed (`make spark`), the probe also imports pyspark.sql.connect (the Spark Connect
# client, which this project does not use): that needs grpc, warns about pandas, adds about
# a second to every process that validates, and in a process whose __main__ has no file
# (pytest-xdist workers, `python -c`) calls sys.exit(0). Marked absent, the probe gets the
# ImportError GX expects. The Spark engine (pipeline/engines/spark) uses classic pyspark.
sys.modules.setdefault("pyspark.sql.connect", None)
