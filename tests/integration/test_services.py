"""The real services CI promises. Outside CI a missing service skips; in CI it fails."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.real_services import require

pytestmark = pytest.mark.integration


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
