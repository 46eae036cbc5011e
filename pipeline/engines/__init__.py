"""Engines that run a compiled study: DuckDB (the default, in the run database) and Spark.

Every engine runs the same statements (pipeline.study.compile.compile_study);
the orchestration is pipeline.study.execute.run_study, which takes the engine
as an argument. docs/engines.md says what runs where and what comes back.
"""
