"""The application keeps answering when its services fail: Redis down, PostgreSQL restarted.

Real processes throughout: gunicorn in production mode, a Redis server and a PostgreSQL cluster of
the test's own (so stopping them disturbs nothing else), spoken to over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests import real_services
from tests.factories import TEST_PASSWORD, ConsentScopeFactory, SocialAccountFactory, StudentFactory, ToolFactory
from tests.real_services import PostgresServer, RedisServer, require, wait_until
from tests.servers import collect_static, get, gunicorn, production_environment, sign_in

# serialized_rollback: the platforms and other rows the migrations add survive the flush.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module")
def _static_collected() -> None:
    collect_static(production_environment("sqlite:///unused.sqlite3", ""))


def pages(world) -> dict[str, str]:
    """The director's pages: every list, the dashboards, and one object of each main kind."""
    account = SocialAccountFactory(district=world.district, school=world.school)
    student = StudentFactory(school=world.school)
    tool = ToolFactory(district=world.district)
    ConsentScopeFactory(district=world.district)
    slug = world.district.slug
    return {
        "home": reverse("home"),
        "district dashboard": reverse("dashboards:district", args=[slug]),
        "school dashboard": reverse("dashboards:school", args=[world.school.pk]),
        "official accounts": reverse("registry:account_list"),
        "an official account": reverse("registry:account_detail", args=[account.pk]),
        "photo consent": reverse("consent:home"),
        "do-not-post list": reverse("consent:school_do_not_post", args=[world.school.pk]),
        "a student's consent": reverse("consent:student", args=[student.pk]),
        "disclosures": reverse("disclosures:home"),
        "tools": reverse("tools:tool_list"),
        "a tool": reverse("tools:tool_detail", args=[tool.pk]),
        "authorizations": reverse("authorizations:list"),
        "staff": reverse("staff_list"),
        "students": reverse("student_list"),
        "our policy": reverse("district_detail", args=[slug]),
        "roster import": reverse("roster_import_list", args=[slug]),
        "reminders": reverse("reminders:log", args=[slug]),
        "password": reverse("account_change_password"),
    }


@pytest.fixture
def cluster(world) -> Iterator[tuple[PostgresServer, dict[str, str]]]:
    """A PostgreSQL cluster of the test's own holding a copy of the test database with `world`."""
    require(connection.vendor == "postgresql", "DATABASE_URL pointing at PostgreSQL")
    urls = pages(world)
    server = PostgresServer()
    try:
        server.start()
        server.copy_of(real_services.test_database_url())
        yield server, urls
    finally:
        server.stop()


def statuses(port: int, cookie: str, urls: dict[str, str]) -> dict[str, int]:
    return {name: get(port, url, cookie, timeout=30).status for name, url in urls.items()}


def test_it_answers_every_page_and_signs_in_while_redis_is_down(
    _static_collected, cluster, redis_server: RedisServer, world, tmp_path: Path
):
    database, urls = cluster
    environment = production_environment(database.url, redis_server.url)
    with gunicorn(environment, tmp_path / "gunicorn.log") as port:
        cookie = sign_in(port, world.director.email, TEST_PASSWORD)
        assert statuses(port, cookie, urls) == dict.fromkeys(urls, 200)

        redis_server.stop()

        assert statuses(port, cookie, urls) == dict.fromkeys(urls, 200)
        fresh = sign_in(port, world.principal.email, TEST_PASSWORD)  # sign-in throttling uses the cache
        assert get(port, reverse("home"), fresh).status == 200


def test_it_recovers_from_a_postgresql_restart_without_restarting_the_server(
    _static_collected, cluster, redis_server: RedisServer, world, tmp_path: Path
):
    database, urls = cluster
    environment = production_environment(database.url, redis_server.url)
    with gunicorn(environment, tmp_path / "gunicorn.log") as port:
        cookie = sign_in(port, world.director.email, TEST_PASSWORD)
        assert statuses(port, cookie, urls) == dict.fromkeys(urls, 200)

        database.restart()  # every open connection of the server's workers is cut

        assert statuses(port, cookie, urls) == dict.fromkeys(urls, 200)

        database.pause()
        down = get(port, urls["official accounts"], cookie, timeout=30)
        assert down.status == 503
        assert b"briefly unavailable" in down.body
        assert down.headers["Retry-After"] == "30"

        database.resume()
        wait_until(lambda: get(port, urls["official accounts"], cookie, timeout=30).status == 200, 30, "recovery")
        assert statuses(port, cookie, urls) == dict.fromkeys(urls, 200)
