"""After the study ran on Spark: the coded records of the people the run invites,
defers or quarantines, into the run's DuckDB.

Later stages read records for those people only: the invitations suite checks each
invitee's raw records against the excluding codelists, and `cohort explain`
answers "why was I picked?" from the run database months later. Everyone else's
records stay in Spark; the run database's events and medications tables hold
these people's records only (docs/scaling.md, "What comes back").
"""

from __future__ import annotations

KEYS = """
SELECT practice_code, patient_id FROM population WHERE invited
UNION
SELECT practice_code, patient_id FROM quarantine
"""


def bring_back_records(con, spark) -> dict[str, int]:
    """Insert the invited, deferred and quarantined people's events and medications
    from Spark into CON's (empty) tables; returns the rows brought back per table."""
    keys = con.sql(KEYS).to_arrow_table()
    spark.createDataFrame(keys).createOrReplaceTempView("run_people")
    brought = {}
    for table in ("events", "medications"):
        frame = spark.sql(
            f"SELECT r.* FROM {table} AS r LEFT SEMI JOIN run_people AS k "  # noqa: S608 (fixed names)
            "ON k.practice_code = r.practice_code AND k.patient_id = r.patient_id"
        )
        arrow = frame.toArrow()
        con.register("spark_records", arrow)
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM spark_records")
        finally:
            con.unregister("spark_records")
        brought[table] = arrow.num_rows
    spark.catalog.dropTempView("run_people")
    return brought
