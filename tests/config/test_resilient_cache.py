"""With Redis unreachable the cache behaves as an empty cache, and pages that use it still answer."""

import logging

import pytest
from django.core.cache import caches
from django.urls import reverse

from config import cache as resilient
from tests.factories import TEST_PASSWORD
from tests.smtp_sink import free_port

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def down(settings, monkeypatch):
    settings.CACHES = UNREACHABLE_REDIS
    monkeypatch.setattr(resilient.ResilientRedisCache, "_last_logged", 0.0)
    yield caches["default"]
    caches["default"].close()


def test_it_answers_as_an_empty_cache_while_redis_is_down(down):
    down.set("figures", 1)

    assert down.get("figures") is None
    assert down.get("figures", "default") == "default"
    assert down.get_many(["a", "b"]) == {}
    assert down.has_key("figures") is False
    assert down.add("lock", True) is True  # allauth's throttle lock: proceed rather than wait
    assert down.set_many({"a": 1, "b": 2}) == ["a", "b"]  # the keys not stored
    assert down.delete("figures") is False
    down.delete_many(["a"])


def test_it_logs_the_outage_once_a_minute_not_on_every_call(down, caplog):
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        for _ in range(5):
            down.get("figures")

    assert [record.message for record in caplog.records if "unreachable" in record.message] == [
        caplog.records[0].message
    ]
    assert len(caplog.records) == 1


@pytest.mark.django_db
def test_it_signs_in_and_serves_a_dashboard_while_redis_is_down(down, client, world):
    response = client.post(reverse("account_login"), {"login": world.director.email, "password": TEST_PASSWORD})
    assert response.status_code == 302

    assert client.get(reverse("dashboards:district", args=[world.district.slug])).status_code == 200
