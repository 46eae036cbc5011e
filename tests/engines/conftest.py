import pytest


@pytest.fixture(scope="session")
def spark(request):
    """The process's Spark session, as the spec tests use it (study.world.spark)."""
    if request.config.getoption("--engine") != "spark":
        pytest.skip("needs --engine spark (make test-spark)")
    from study.world import spark as world_spark

    return world_spark()
