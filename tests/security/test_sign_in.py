"""Sign-in safety: throttled guessing, sessions that end after inactivity, production settings that
keep cookies and pages on HTTPS, and Django's deployment checks."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the throttle's history lives in the cache, shared with other tests
    yield
    cache.clear()


def sign_in(client, email: str, password: str, ip: str = "203.0.113.10"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_it_refuses_the_right_password_after_five_wrong_ones_for_the_same_address(client, world):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            assert sign_in(client, world.director.email, "wrong-password").status_code == 200

        refused = sign_in(client, world.director.email, TEST_PASSWORD)

    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_lets_the_person_try_again_five_minutes_later(client, world):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(client, world.director.email, "wrong-password")
    with time_machine.travel(NOW + datetime.timedelta(minutes=5, seconds=1), tick=False):
        assert sign_in(client, world.director.email, TEST_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_it_throttles_one_address_guessing_many_accounts(client, world):
    people = [world.director, world.superintendent, world.principal, world.clerk, world.staff]
    with time_machine.travel(NOW, tick=False):
        for attempt in range(10):
            sign_in(client, people[attempt % len(people)].email, "wrong-password")

        from_same_address = sign_in(client, world.communications.email, TEST_PASSWORD)
        from_elsewhere = sign_in(client, world.communications.email, TEST_PASSWORD, ip="198.51.100.7")

    assert "Too many failed login attempts" in from_same_address.content.decode()
    assert from_elsewhere.status_code == 302


@pytest.mark.django_db
def test_it_ends_a_session_after_eight_hours_without_a_request(client, world, settings):
    home = reverse("registry:my_accounts")
    with time_machine.travel(NOW, tick=False):
        assert sign_in(client, world.staff.email, TEST_PASSWORD).status_code == 302
    # Activity keeps the session: each request moves its end eight hours on.
    for hours in (7, 14, 21):
        with time_machine.travel(NOW + datetime.timedelta(hours=hours), tick=False):
            assert client.get(home).status_code == 200

    with time_machine.travel(NOW + datetime.timedelta(hours=21 + 8, minutes=1), tick=False):
        response = client.get(home)

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def production(*code: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL"))}
    environment.update(
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="production-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="registry.example.org",
        SITE_URL="https://registry.example.org",
    )
    return subprocess.run([sys.executable, *code], cwd=ROOT, env=environment, capture_output=True, text=True)  # noqa: S603


def test_production_settings_keep_cookies_and_pages_on_https():
    names = [
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_ENGINE", "SESSION_REFRESH_SECONDS",
    ]  # fmt: skip
    result = production(
        "-c",
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        # The inactivity timeout is kept by a refresh every tenth of the session's age
        # (config/sessions.py), not by a write on every request.
        "SESSION_ENGINE": "config.sessions",
        "SESSION_REFRESH_SECONDS": 2880,
    }


def test_djangos_deployment_checks_pass_without_a_warning():
    result = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_behind_a_proxy_it_throttles_the_person_not_the_proxy(client, world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    with time_machine.travel(NOW, tick=False):
        for attempt in range(10):
            client.post(
                reverse("account_login"),
                {"login": world.staff.email if attempt % 2 else world.clerk.email, "password": "wrong-password"},
                REMOTE_ADDR=proxy,
                HTTP_X_FORWARDED_FOR="203.0.113.10",
            )
        colleague = client.post(
            reverse("account_login"),
            {"login": world.director.email, "password": TEST_PASSWORD},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )

    assert colleague.status_code == 302


# --- The admin's sign-in is the product's own ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("password", [TEST_PASSWORD, "wrong-password"])
def test_it_never_checks_a_password_on_the_admin_sign_in_page(client, world, monkeypatch, password):
    """A right and a wrong password take the same path there: none. The admin sends everyone to the
    product's sign-in, so its answer and its cost cannot tell them apart."""
    checked = []
    monkeypatch.setattr("accounts.models.User.check_password", lambda self, raw: checked.append(raw) or True)

    response = client.post(reverse("admin:login"), {"username": world.director.email, "password": password})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert checked == []
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_checks_one_password_hash_for_a_right_a_wrong_and_an_unknown_address(client, world, monkeypatch):
    """One authentication backend: every sign-in attempt verifies (or, for an unknown address, computes)
    exactly one Argon2 hash, so the time it takes says nothing about the password."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hashed = []
    real_verify, real_encode = Argon2PasswordHasher.verify, Argon2PasswordHasher.encode
    monkeypatch.setattr(
        Argon2PasswordHasher, "verify", lambda self, *a: hashed.append("verify") or real_verify(self, *a)
    )
    monkeypatch.setattr(
        Argon2PasswordHasher, "encode", lambda self, *a: hashed.append("encode") or real_encode(self, *a)
    )
    attempts = {
        "right": (world.director.email, TEST_PASSWORD),
        "wrong": (world.principal.email, "wrong-password"),
        "unknown": ("nobody@north.example.org", "wrong-password"),
    }
    costs = {}
    for name, (email, password) in attempts.items():
        hashed.clear()
        sign_in(Client(), email, password)
        costs[name] = len(hashed)

    assert costs == {"right": 1, "wrong": 1, "unknown": 1}


@pytest.mark.django_db
def test_it_answers_403_on_the_admin_to_a_signed_in_person_who_is_not_an_operator(client, world):
    client.force_login(world.director)

    assert client.get(reverse("admin:login")).status_code == 403
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_an_operator_signs_in_on_the_products_page_and_reaches_the_admin(client, superuser):
    superuser.set_password(TEST_PASSWORD)
    superuser.save()

    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": superuser.email, "password": TEST_PASSWORD, "next": "/admin/"},
    )

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- Throttling the guesser, not the person ---------------------------------------------------------


@pytest.mark.django_db
def test_a_guesser_elsewhere_does_not_lock_the_person_out(client, world):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(Client(), world.staff.email, "wrong-password", ip="198.51.100.66")

        from_the_guesser = sign_in(Client(), world.staff.email, TEST_PASSWORD, ip="198.51.100.66")
        from_the_person = sign_in(client, world.staff.email, TEST_PASSWORD, ip="203.0.113.10")

    assert "Too many failed login attempts" in from_the_guesser.content.decode()
    assert from_the_person.status_code == 302


THROTTLE_WITH_REDIS_DOWN = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers Redis there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        "FALLBACK_CACHE": "throttle_fallback",
        "FALLBACK_KEY_PREFIXES": ["allauth:rl:"],
    },
    "throttle_fallback": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "registry_throttle_fallback",
    },
}


@pytest.mark.django_db
def test_with_redis_down_the_throttle_counts_in_the_database(client, world, settings):
    from django.core.cache import caches

    settings.CACHES = THROTTLE_WITH_REDIS_DOWN
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(client, world.director.email, "wrong-password")

        refused = sign_in(client, world.director.email, TEST_PASSWORD)

    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    caches["throttle_fallback"].clear()


# --- Mail about signing in ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_mails_no_stranger_who_asks_for_a_reset(client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "someone@elsewhere.example"})

    assert response.status_code == 302
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_reset_mail_names_the_district_and_the_sites_real_address(client, world, mailoutbox, settings):
    settings.SITE_URL = "https://registry.north.example.org"

    client.post(reverse("account_reset_password"), {"email": world.staff.email}, HTTP_HOST="127.0.0.1:8103")

    [message] = mailoutbox
    html = message.alternatives[0][0]
    assert "North District" in message.subject
    assert "127.0.0.1" not in message.subject + message.body + html
    assert "https://registry.north.example.org/account/password/reset/key/" in message.body
    assert "North District" in html


@pytest.mark.django_db
def test_it_sends_no_reset_mail_to_someone_who_left(client, world, mailoutbox):
    world.staff.is_active = False
    world.staff.save()

    client.post(reverse("account_reset_password"), {"email": world.staff.email})

    assert mailoutbox == []
