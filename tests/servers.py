"""The application under gunicorn in production mode, spoken to over loopback as the TLS proxy would:
shared by the dashboards benchmark and the resilience tests."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from tests.real_services import wait_until
from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[1]
# Every request arrives as from the TLS-terminating proxy in front of production.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def production_environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def collect_static(environment: dict[str, str]) -> None:
    """Production serves hashed static files: without collectstatic every HTML page answers 500."""
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if collected.returncode:
        pytest.fail(f"collectstatic failed: production mode cannot serve pages.\n{collected.stderr[-1500:]}")


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    ms: float
    headers: http.client.HTTPMessage


def get(port: int, path: str, cookie: str | None = None, timeout: float = 600) -> Answer:
    """One GET as the proxy would send it: status, body, milliseconds and headers."""
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        connection_.request("GET", path, headers={**PROXY_HEADERS, **({"Cookie": cookie} if cookie else {})})
        response = connection_.getresponse()
        body = response.read()
        return Answer(response.status, body, (time.perf_counter() - started) * 1000, response.headers)
    finally:
        connection_.close()


def _answers(port: int) -> bool:
    try:
        return get(port, reverse("healthz"), timeout=2).status == 200
    except OSError:
        return False


@contextmanager
def gunicorn(environment: dict[str, str], log: Path, workers: int = 2) -> Iterator[int]:
    """The application under gunicorn on a free loopback port, in a process group of its own."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--timeout", "600", "--graceful-timeout", "5",
         "--log-level", "warning"],
        cwd=ROOT,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_until(lambda: process.poll() is not None or _answers(port), 60, "gunicorn to answer", every=0.2)
        assert process.poll() is None, log.read_text()[-3000:]
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port: int, email: str, password: str) -> str:
    """Signs in through the real login form (CSRF cookie and token first); returns the Cookie header."""
    login = reverse("account_login")
    origin = f"https://127.0.0.1:{port}"
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection_.request("GET", login, headers=PROXY_HEADERS)
        response = connection_.getresponse()
        response.read()
        assert response.status == 200, f"GET {login}: {response.status}"
        csrf = _cookies(response)[settings.CSRF_COOKIE_NAME]
        connection_.close()
        body = urlencode({"login": email, "password": password, "csrfmiddlewaretoken": csrf})
        headers = {
            **PROXY_HEADERS,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf}",
            "Origin": origin,
            "Referer": origin + login,
        }
        connection_.request("POST", login, body=body, headers=headers)
        response = connection_.getresponse()
        response.read()
        session = _cookies(response).get(settings.SESSION_COOKIE_NAME)
        assert response.status == 302 and session, f"signing in as {email}: {response.status}, no session"
        return f"{settings.SESSION_COOKIE_NAME}={session}"
    finally:
        connection_.close()
