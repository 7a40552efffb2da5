"""The real services CI promises. Outside CI a missing service skips; in CI it fails."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.integration
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI and is not configured")
    pytest.skip(f"{what} not configured (set it to run this test)")


@pytest.mark.django_db
def test_the_suite_runs_on_postgresql_in_ci():
    require(connection.vendor == "postgresql", "DATABASE_URL pointing at PostgreSQL")

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_cache_and_broker_reach_redis():
    require(bool(settings.REDIS_URL), "REDIS_URL")
    import redis

    assert redis.Redis.from_url(settings.REDIS_URL).ping()
    cache.set("integration-check", "ok", 10)
    assert cache.get("integration-check") == "ok"
