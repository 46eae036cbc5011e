"""The Spark engine: a session (session.py), the study on Spark (study.py), Java (java.py).

pyspark is optional (requirements-spark.lock, `make spark`): nothing here imports
it at module level, so the package imports without it.
"""
