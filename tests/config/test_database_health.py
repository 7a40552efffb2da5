"""A kept database connection is checked without a round trip, and one the server ended is
replaced (config/postgresql)."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's own check")


@postgresql_only
def test_an_idle_healthy_connection_is_usable():
    kept = connections.create_connection("default")
    try:
        kept.ensure_connection()
        assert kept.is_usable()
    finally:
        kept.close()


@postgresql_only
def test_a_connection_the_server_ended_is_not_usable():
    kept = connections.create_connection("default")
    try:
        kept.ensure_connection()
        with kept.cursor() as cursor:
            cursor.execute("select pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("select pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while kept.is_usable() and time.monotonic() < deadline:
            time.sleep(0.05)  # the server's goodbye reaches the socket a moment later
        assert not kept.is_usable()
    finally:
        kept.close()


@postgresql_only
def test_the_check_asks_the_server_nothing(monkeypatch):
    kept = connections.create_connection("default")
    try:
        kept.ensure_connection()
        monkeypatch.setattr(kept.connection, "execute", lambda *args, **kwargs: pytest.fail("asked the server"))
        monkeypatch.setattr(kept.connection, "cursor", lambda *args, **kwargs: pytest.fail("asked the server"))
        assert kept.is_usable()
    finally:
        monkeypatch.undo()
        kept.close()
