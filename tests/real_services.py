"""Real services for the integration tests and the reminder benchmark: a Redis server of their own
(so stopping it disturbs nothing else), an SMTP sink process and Celery worker processes, all on
loopback. Outside CI a missing service skips; in CI it fails. Test modules import the fixtures."""

from __future__ import annotations

import collections
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI and is not configured")
    pytest.skip(f"{what} not configured (set it to run this test)")


def wait_until(condition: Callable[[], object], timeout: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, 10, "Redis to start")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class PostgresServer:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, on a free port), so
    that restarting it disturbs nothing else; it holds a copy of the test database."""

    def __init__(self) -> None:
        self.port = free_port()
        # Not under pytest's temporary directory: the postgres user could not enter it.
        self.directory = Path(tempfile.mkdtemp(prefix="registry-postgres-"))
        self.data = self.directory / "data"
        self.bin = Path(
            subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        )
        self.name = "registry"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{self.name}"

    def _run(self, *command: str, **kwargs: object) -> subprocess.CompletedProcess:
        # PostgreSQL refuses to run as root; CI runs as root, a developer usually does not.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]  # options pass through untyped

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "server.log"),
                  "-o", options, "-m", "fast", "-w", action)  # fmt: skip

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                  "-E", "UTF8")  # fmt: skip
        self._ctl("start")

    def copy_of(self, database_url: str) -> None:
        """This cluster's `registry` database becomes a copy of the database at `database_url`."""
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.name)
        dump = subprocess.run([str(self.bin / "pg_dump"), "--no-owner", "-d", database_url], check=True,
                              capture_output=True)  # fmt: skip
        subprocess.run([str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url], input=dump.stdout,
                       check=True, capture_output=True)  # fmt: skip

    def restart(self) -> None:
        self._ctl("restart")

    def pause(self) -> None:
        self._ctl("stop")

    def resume(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
                self._ctl("stop")
        shutil.rmtree(self.directory, ignore_errors=True)


class SmtpSink:
    """tests/smtp_sink.py in its own process; what it accepted is read from its record file."""

    def __init__(self, directory: Path, reply_after: float = 0.0) -> None:
        self.port = free_port()
        self.record = directory / "accepted.txt"
        self.refuse_flag = directory / "refuse"
        self.reply_after = reply_after
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.record.touch()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.smtp_sink", str(self.port), str(self.record), str(self.refuse_flag),
             str(self.reply_after)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"

    def refuse(self, refusing: bool) -> None:
        if refusing:
            self.refuse_flag.touch()
        else:
            self.refuse_flag.unlink(missing_ok=True)

    def message_ids(self) -> list[str]:
        return self.record.read_text().split()

    def count(self) -> int:
        return self.record.read_text().count("\n")

    def clear(self) -> None:
        self.record.write_text("")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def test_database_url() -> str:
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    return f"postgres://{user}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


class Worker:
    """`celery worker` processes, in a session of their own so that SIGKILL reaches every one."""

    def __init__(self, directory: Path, environment: dict[str, str], concurrency: int = 2, name: str = "test") -> None:
        self.name = name
        self.directory = directory
        self.environment = environment
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        self.log = self.directory / f"{self.name}-{self.runs}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
             "--concurrency", str(self.concurrency), "--loglevel", "info", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--hostname", f"{self.name}{self.runs}@%h"],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_until(lambda: " ready." in self.log.read_text() or self.process.poll() is not None, 60, "the worker")
        assert self.process.poll() is None, self.log.read_text()[-3000:]

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes at once: no goodbye, no acknowledgement."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None


@pytest.fixture
def services_directory(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def redis_server(services_directory: Path) -> Iterator[RedisServer]:
    require(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer(services_directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    require(shutil.which("pg_config") is not None, "PostgreSQL's server programs (pg_config --bindir)")
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_sink(services_directory: Path) -> Iterator[SmtpSink]:
    sink = SmtpSink(services_directory)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def worker_environment(transactional_db, redis_server: RedisServer, smtp_sink: SmtpSink) -> dict[str, str]:
    require(connection.vendor == "postgresql", "DATABASE_URL pointing at PostgreSQL (the worker shares it)")
    return {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Production settings: no DEBUG query log in the worker.
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "registry.example.org",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "EMAIL_TIMEOUT": "2",
        # Short leases and retries so that recovery is seen in seconds, not the production minutes.
        "REMINDER_SEND_LEASE_SECONDS": "3",
        "REMINDER_QUEUE_LEASE_SECONDS": "4",
        "REMINDER_RETRY_SECONDS": "1",
        "SITE_URL": "https://registry.example.org",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def worker(worker_environment: dict[str, str], services_directory: Path) -> Iterator[Worker]:
    started = Worker(services_directory, worker_environment)
    yield started
    started.stop()


@pytest.fixture
def beat(redis_server: RedisServer) -> Callable[[], None]:
    """What Celery beat does every ten minutes: send the periodic task to the broker."""
    app = Celery(broker=redis_server.url)

    def tick() -> None:
        app.send_task("reminders.tasks.plan_reminders")

    yield tick
    app.close()


def mark_today_planned() -> None:
    """The worker's periodic task plans the real day; the test planned (or wrote) its own reminders."""
    from reminders.models import PlanRun

    PlanRun.objects.get_or_create(day=timezone.localdate(), defaults={"finished_at": timezone.now()})


def duplicates(message_ids: list[str]) -> dict[str, int]:
    return {message_id: n for message_id, n in collections.Counter(message_ids).items() if n > 1}


# --- An OpenID Connect provider ---------------------------------------------------------------------


class OidcProvider:
    """oidc-provider-mock in a process of its own on loopback: discovery, an authorization form, the
    token endpoint and signed ID tokens, like a district's identity provider."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port), "--host", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, 20, "the OpenID Connect provider to start")

    def answers(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.url}/.well-known/openid-configuration", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def person(self, sub: str, **claims: object) -> None:
        """What the provider will say about `sub` when they sign in."""
        import requests

        response = requests.put(f"{self.url}/users/{sub}", json={"sub": sub, **claims}, timeout=5)
        response.raise_for_status()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider()
    try:
        provider.start()
    except (OSError, AssertionError) as error:
        require(False, f"the OpenID Connect provider (oidc-provider-mock): {error}")
    yield provider
    provider.stop()
