"""Scheduled roster syncs through the real parts: the SIS uploads over SFTP into the drop folder, or
serves a OneRoster REST API on loopback; Celery beat's task goes to Redis and a real worker process
runs the sync and sends the director's e-mail to an SMTP server. A failure streak mails once."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from cryptography.fernet import Fernet
from django.utils import timezone

from accounts import credentials
from accounts.models import Guardian, Role, RosterImport, RosterImportStatus, RosterSync, Student, SyncSource, User
from tests.accounts.bundles import write_bundle
from tests.factories import DistrictFactory, SchoolFactory, staff_at
from tests.oneroster_server import CLIENT_ID, CLIENT_SECRET, Failure, OneRosterServer, roster_records
from tests.real_services import Worker, wait_until
from tests.sftp_server import SftpServer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
KEY = Fernet.generate_key().decode()


@pytest.fixture
def drop_root(tmp_path) -> Path:
    root = tmp_path / "drop"
    (root / "north").mkdir(parents=True)
    return root


@pytest.fixture
def sync_worker(worker_environment, services_directory, drop_root, settings) -> Iterator[Worker]:
    settings.CREDENTIALS_KEY = KEY  # the worker decrypts what this process stored
    settings.ROSTER_API_ALLOW_HTTP = True
    settings.ROSTER_API_ALLOW_PRIVATE_ADDRESSES = True  # the test server listens on loopback
    environment = {
        **worker_environment,
        "CREDENTIALS_KEY": KEY,
        "ROSTER_DROP_ROOT": str(drop_root),
        "ROSTER_DROP_SETTLE_SECONDS": "3600",  # only the .done marker makes a fresh zip ready
        "ROSTER_API_ALLOW_HTTP": "true",
        "ROSTER_API_ALLOW_PRIVATE_ADDRESSES": "true",
        "ROSTER_API_PAGE_SIZE": "10",
        "MEDIA_ROOT": str(services_directory / "media"),
    }
    worker = Worker(services_directory, environment, concurrency=1, name="sync")
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def tick(redis_server) -> Iterator:
    """What Celery beat does every ten minutes: send the due-syncs task to the broker."""
    app = Celery(broker=redis_server.url)
    yield lambda: app.send_task("accounts.tasks.run_due_roster_syncs")
    app.close()


@pytest.fixture
def director(transactional_db):
    district = DistrictFactory(slug="north", name="North District")
    return staff_at(SchoolFactory(district=district), Role.DIRECTOR, email="director@north.example.org")


@pytest.fixture
def sftp(drop_root) -> Iterator[SftpServer]:
    server = SftpServer(drop_root / "north")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def api() -> Iterator[OneRosterServer]:
    server = OneRosterServer(collections=roster_records())
    server.start()
    yield server
    server.stop()


def finished_imports() -> list[RosterImport]:
    return list(RosterImport.objects.filter(status__in=[RosterImportStatus.SUCCEEDED, RosterImportStatus.FAILED]))


def test_a_bundle_uploaded_over_sftp_is_imported_by_the_scheduled_task(director, sync_worker, sftp, tick, tmp_path):
    RosterSync.objects.create(district=director.district, enabled=True, drop_folder="north")
    bundle = write_bundle(tmp_path / "export", as_zip=True)
    sftp.upload(bundle, "roster.zip.part", rename_to="roster.zip")
    tick()  # the zip has no .done yet: it may still be written, so it is left alone
    time.sleep(3)
    assert not finished_imports()
    (tmp_path / "done").touch()
    sftp.upload(tmp_path / "done", "roster.zip.done")

    tick()

    wait_until(lambda: finished_imports(), 60, "the sync's import")
    roster_import = finished_imports()[0]
    assert roster_import.status == RosterImportStatus.SUCCEEDED, roster_import.report
    assert Student.objects.filter(district=director.district).count() == 4
    archive = sftp.root / "archive"
    assert sorted(p.suffix for p in archive.iterdir()) == [".json", ".zip"]
    # The sync records its success just after the import finishes, in the worker: wait for it too.
    wait_until(lambda: RosterSync.objects.get().last_success_at is not None, 30, "the sync's success")


def test_a_truncated_zip_over_sftp_writes_nothing_and_mails_the_director_once(
    director, sync_worker, sftp, tick, tmp_path, smtp_sink
):
    RosterSync.objects.create(district=director.district, enabled=True, drop_folder="north")
    whole = write_bundle(tmp_path / "export", as_zip=True).read_bytes()
    (tmp_path / "done").touch()
    for night in range(2):
        (tmp_path / "cut.zip").write_bytes(whole[: len(whole) // 2])
        sftp.upload(tmp_path / "cut.zip", f"night-{night}.zip")
        sftp.upload(tmp_path / "done", f"night-{night}.zip.done")
        tick()
        wait_until(lambda n=night: len(finished_imports()) == n + 1, 60, "the sync's import")

    assert all(run.status == RosterImportStatus.FAILED for run in finished_imports())
    assert not Student.objects.exists()
    wait_until(lambda: smtp_sink.count() == 1, 30, "the director's e-mail")
    time.sleep(2)
    assert smtp_sink.count() == 1


def api_sync(director, api: OneRosterServer) -> RosterSync:
    return RosterSync.objects.create(
        district=director.district,
        enabled=True,
        source=SyncSource.API,
        api_base_url=api.base_url,
        api_token_url=api.token_url,
        api_client_id=CLIENT_ID,
        api_client_secret=credentials.encrypt(CLIENT_SECRET),
    )


def test_a_oneroster_api_is_pulled_page_by_page_by_the_scheduled_task(director, sync_worker, api, tick):
    api_sync(director, api)

    tick()

    wait_until(lambda: finished_imports(), 60, "the sync's import")
    roster_import = finished_imports()[0]
    assert roster_import.status == RosterImportStatus.SUCCEEDED, roster_import.report
    assert Student.objects.filter(district=director.district).count() == 2
    assert Guardian.objects.get().student_links.count() == 1
    grace = User.objects.select_related("supervisor").get(roster_sourced_id="t2")
    assert grace.supervisor is not None and grace.supervisor.roster_sourced_id == "t1"
    assert api.requests[0] == "/token"


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(Failure("users", 0), id="500-midway"),  # after orgs were read
        pytest.param(Failure("users", 0, broken_json=True), id="malformed-json-midway"),
        pytest.param(Failure("token", 0), id="wrong-token"),
    ],
)
def test_a_failing_api_writes_nothing_retries_each_schedule_and_mails_once(
    director, sync_worker, api, tick, smtp_sink, failure
):
    sync = api_sync(director, api)
    if failure.collection == "token":
        sync.api_client_secret = credentials.encrypt("not-the-secret")
        sync.save()
    else:
        api.failure = failure
    for attempt in range(3):  # three schedules: the interval has passed each time
        RosterSync.objects.filter(pk=sync.pk).update(last_attempt_at=timezone.now() - datetime.timedelta(days=1))
        tick()
        wait_until(lambda n=attempt: len(finished_imports()) == n + 1, 60, "the sync's attempt")
        # The run lets go of the sync just after its import is recorded: the next schedule must find
        # it free, or on a loaded machine that tick would find it still held and run nothing.
        wait_until(
            lambda: RosterSync.objects.filter(pk=sync.pk, claimed_until__isnull=True).exists(), 30, "the sync's release"
        )

    assert all(run.status == RosterImportStatus.FAILED for run in finished_imports())
    assert not Student.objects.exists() and not Guardian.objects.exists()
    wait_until(lambda: smtp_sink.count() == 1, 30, "the director's e-mail")
    time.sleep(2)
    assert smtp_sink.count() == 1
    assert RosterSync.objects.get().last_problem
