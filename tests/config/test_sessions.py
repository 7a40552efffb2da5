"""Sessions keep their inactivity timeout without being written on every request, are read from a
copy in the cache, and never outlive a sign-out (config/sessions.py)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.cache import RECOVERED_KEY, ResilientRedisCache

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)


def layout_page(client):
    return client.get(reverse("account_change_password"))


def session_statements(queries) -> list[str]:
    return [query["sql"] for query in queries if "django_session" in query["sql"]]


def expires_on(client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_it_does_not_write_the_session_on_every_request(client, world):
    with time_machine.travel(START, tick=False):
        client.force_login(world.staff)
        layout_page(client)  # the first page marks when the session was last saved
        with CaptureQueriesContext(connection) as second:
            assert layout_page(client).status_code == 200
    assert session_statements(second.captured_queries) == []


def test_it_starts_the_inactivity_timeout_again_once_its_refresh_share_has_passed(client, world, settings):
    with time_machine.travel(START, tick=False):
        client.force_login(world.staff)
        layout_page(client)
        first_expiry = expires_on(client)
    with time_machine.travel(START + datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 1), tick=False):
        layout_page(client)
        assert expires_on(client) == first_expiry
    later = START + datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        layout_page(client)
        assert expires_on(client) == later + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_unattended_session_ends_after_the_session_age(client, world, settings):
    with time_machine.travel(START, tick=False):
        client.force_login(world.staff)
        assert layout_page(client).status_code == 200
    with time_machine.travel(START + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1), tick=False):
        response = layout_page(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_signed_in_page_reads_its_session_from_the_cache(client, world):
    client.force_login(world.staff)
    layout_page(client)
    with CaptureQueriesContext(connection) as queries:
        assert layout_page(client).status_code == 200
    assert session_statements(queries.captured_queries) == []


def test_it_reads_the_database_when_the_cache_holds_no_copy(client, world, settings):
    settings.SESSION_CACHE_SECONDS = 0
    client.force_login(world.staff)
    with CaptureQueriesContext(connection) as queries:
        assert layout_page(client).status_code == 200
    assert len(session_statements(queries.captured_queries)) >= 1


def test_signing_out_ends_the_session_for_a_copied_cookie_too(client, world, settings):
    client.force_login(world.staff)
    layout_page(client)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("account_logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = layout_page(client)
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()


def test_a_copy_older_than_the_caches_recovery_is_read_again_from_the_database(client, world):
    cache = caches["default"]
    if not isinstance(cache, ResilientRedisCache):
        pytest.skip("the recovery mark belongs to the Redis cache (REDIS_URL)")
    client.force_login(world.staff)
    layout_page(client)
    # A sign-out while this process could not reach Redis removed the record, not the copy.
    Session.objects.filter(session_key=client.session.session_key).delete()
    assert layout_page(client).status_code == 200  # the copy alone still answers
    try:
        cache.unreachable("get", OSError("Redis is restarting"))
        cache.get("any-key")  # answered again: the cache marks its recovery
        assert cache.get(RECOVERED_KEY) is not None
        response = layout_page(client)
    finally:
        ResilientRedisCache._down_since = None
        cache.delete(RECOVERED_KEY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_visitor_without_a_session_is_given_none(client, world):
    client.get(reverse("healthz"))
    assert Session.objects.count() == 0
