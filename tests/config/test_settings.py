"""Settings come from the environment and refuse to start on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL"))}
    clean.update(env)
    clean["DJANGO_ENV_FILE"] = os.devnull  # a developer's local .env must not decide these tests
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES if os.environ.get('PRINT') == 'databases' else settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key_in_production():
    result = start(DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_starts_in_production_with_a_secret_key():
    result = start(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("SESSION_COOKIE_AGE", "eight hours"),
        ("DATABASE_JIT", "sometimes"),
        ("REMINDER_PLAN_HOUR", "25"),
        ("ROSTER_MAX_UNPACKED_BYTES", "4GB"),
        ("ROSTER_MAX_UNPACKED_BYTES", "1000"),
        ("ROSTER_MAX_COMPRESSION_RATIO", "5"),
        ("ROSTER_MAX_COMPRESSION_RATIO", "a hundred"),
        ("ROSTER_DROP_SETTLE_SECONDS", "-1"),
        ("ROSTER_API_TIMEOUT_SECONDS", "0"),
        ("ROSTER_API_PAGE_SIZE", "1000000"),
        ("ROSTER_API_ALLOW_HTTP", "sometimes"),
        ("CREDENTIALS_KEY", "not-a-fernet-key"),
        ("SESSION_COOKIE_AGE", "30"),
        ("SESSION_REFRESH_SECONDS", "28800"),
        ("SESSION_REFRESH_SECONDS", "-1"),
        ("SESSION_CACHE_SECONDS", "-5"),
        ("COUNTS_MAX_AGE_SECONDS", "7200"),
    ],
)
def test_it_refuses_to_start_on_a_malformed_value(name, value):
    result = start(**{"DJANGO_DEBUG": "true", name: value})

    assert result.returncode != 0
    assert name in result.stderr or value in result.stderr


def test_debug_is_off_unless_asked_for():
    result = start(DJANGO_SECRET_KEY="x" * 60)

    assert result.stdout.strip() == "False"


def test_postgresql_uses_the_backend_whose_health_check_asks_the_socket():
    url = "postgres://registry@127.0.0.1:5432/registry"
    assert "config.postgresql" in start(DJANGO_DEBUG="true", DATABASE_URL=url, PRINT="databases").stdout


def test_postgresql_runs_without_jit_unless_asked_for():
    """JIT compiling a page's correlated counts took longer than running them (see the tools benchmark)."""
    url = "postgres://registry@127.0.0.1:5432/registry"
    assert "-c jit=off" in start(DJANGO_DEBUG="true", DATABASE_URL=url, PRINT="databases").stdout
    assert "jit=off" not in start(DJANGO_DEBUG="true", DATABASE_URL=url, DATABASE_JIT="true", PRINT="databases").stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GOOGLE_CLIENT_ID": "id-only"}, "GOOGLE_CLIENT_SECRET"),
        ({"MICROSOFT_CLIENT_SECRET": "secret-only"}, "MICROSOFT_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "registry", "OIDC_CLIENT_SECRET": "s"}, "OIDC_SERVER_URL"),
        (
            {
                "OIDC_CLIENT_ID": "r",
                "OIDC_CLIENT_SECRET": "s",
                "OIDC_SERVER_URL": "https://idp",
                "OIDC_PROVIDER_ID": "A B",
            },
            "OIDC_PROVIDER_ID",
        ),
    ],
)
def test_it_refuses_to_start_on_half_a_sign_in_provider(env, named):
    result = start(DJANGO_DEBUG="true", **env)

    assert result.returncode != 0
    assert named in result.stderr


def test_a_provider_without_credentials_is_not_offered():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; "
         "print(sorted(s.SOCIALACCOUNT_PROVIDERS), 'allauth.socialaccount.providers.google' in s.INSTALLED_APPS)"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "MICROSOFT_", "OIDC_"))},
             "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV_FILE": os.devnull, "DJANGO_DEBUG": "true",
             "MICROSOFT_CLIENT_ID": "m", "MICROSOFT_CLIENT_SECRET": "s"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.stdout.split() == ["['microsoft']", "False"], result.stderr
