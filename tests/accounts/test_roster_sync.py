"""Scheduled roster syncs, run in-process: the drop folder's rules for files still being written, the
OneRoster REST pull (token, paging) from a real server on loopback, and what a failed run does: nothing
written, one report, one e-mail per streak of failures. tests/integration/test_roster_sync.py runs the
same through SFTP, Celery beat's task and a real worker."""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import pytest
from django.urls import reverse

from accounts import credentials, services
from accounts.models import Guardian, RosterImport, RosterImportStatus, RosterSync, School, Student, SyncSource, User
from reminders.models import Reminder
from tests.accounts.bundles import write_bundle
from tests.oneroster_server import CLIENT_ID, CLIENT_SECRET, Failure, serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def drop_root(settings, tmp_path) -> Path:
    settings.ROSTER_DROP_ROOT = tmp_path / "drop"
    settings.ROSTER_DROP_SETTLE_SECONDS = 60
    (tmp_path / "drop" / "north").mkdir(parents=True)
    return tmp_path / "drop" / "north"


@pytest.fixture
def api(settings):
    settings.ROSTER_API_ALLOW_HTTP = True
    settings.ROSTER_API_ALLOW_PRIVATE_ADDRESSES = True  # the test server listens on loopback
    settings.ROSTER_API_PAGE_SIZE = 2  # the test roster spans several pages
    yield from serve()


def drop_sync(world) -> RosterSync:
    return RosterSync.objects.create(
        district=world.district, enabled=True, source=SyncSource.DROP_FOLDER, drop_folder="north"
    )


def api_sync(world, server, secret: str = CLIENT_SECRET) -> RosterSync:
    return RosterSync.objects.create(
        district=world.district,
        enabled=True,
        source=SyncSource.API,
        api_base_url=server.base_url,
        api_token_url=server.token_url,
        api_client_id=CLIENT_ID,
        api_client_secret=credentials.encrypt(secret),
    )


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def failure_mails(world) -> int:
    return Reminder.objects.filter(kind="roster_sync_failed", recipient=world.director).count()


# --- Drop folder --------------------------------------------------------------------------


def test_it_imports_the_newest_settled_zip_and_archives_it_with_its_report(world, drop_root):
    sync = drop_sync(world)
    bundle = write_bundle(drop_root / "build", as_zip=True).rename(drop_root / "export-2.zip")
    age(bundle, 120)

    roster_import = services.roster_sync_run(sync_id=sync.pk)

    assert roster_import.status == RosterImportStatus.SUCCEEDED
    assert roster_import.source == "drop_folder"
    assert Student.objects.filter(district=world.district).count() == 4
    assert not bundle.exists()
    archived = sorted(p.name for p in (drop_root / "archive").iterdir())
    assert [name.split("-", 2)[-1] for name in archived] == ["export-2.zip", "export-2.zip.report.json"]
    sync.refresh_from_db()
    assert sync.last_success_at is not None and sync.last_import == roster_import


def test_it_never_reads_a_zip_still_being_written(world, drop_root):
    sync = drop_sync(world)
    write_bundle(drop_root / "build", as_zip=True).rename(drop_root / "export.zip")  # just written: not settled
    (drop_root / "other.zip.part").write_bytes(b"PK half")  # an uploader's temporary name

    assert services.roster_sync_run(sync_id=sync.pk) is None

    assert (drop_root / "export.zip").exists()
    assert not RosterImport.objects.exists()
    assert not Student.objects.exists()


def test_a_done_marker_makes_a_fresh_zip_ready_at_once(world, drop_root):
    sync = drop_sync(world)
    write_bundle(drop_root / "build", as_zip=True).rename(drop_root / "export.zip")
    (drop_root / "export.zip.done").touch()

    assert services.roster_sync_run(sync_id=sync.pk).status == RosterImportStatus.SUCCEEDED
    assert not (drop_root / "export.zip.done").exists()


def test_a_truncated_zip_writes_nothing_reports_once_and_mails_the_director_once(world, drop_root):
    sync = drop_sync(world)
    whole = write_bundle(drop_root / "build", as_zip=True).read_bytes()
    for run in range(3):  # the SIS drops the same broken export three nights running
        broken = drop_root / f"export-{run}.zip"
        broken.write_bytes(whole[: len(whole) // 2])
        age(broken, 120)

        roster_import = services.roster_sync_run(sync_id=sync.pk)

        assert roster_import.status == RosterImportStatus.FAILED
        assert roster_import.report["problem_count"] >= 1
    assert not Student.objects.exists() and not School.objects.filter(roster_sourced_id__isnull=False).exists()
    assert failure_mails(world) == 1
    sync.refresh_from_db()
    assert "export-2.zip" in sync.last_problem
    assert sync.last_success_at is None


def test_a_success_ends_the_streak_so_the_next_failure_mails_again(world, drop_root):
    sync = drop_sync(world)
    broken = drop_root / "a.zip"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    age(broken, 120)
    services.roster_sync_run(sync_id=sync.pk)
    good = write_bundle(drop_root / "build", as_zip=True).rename(drop_root / "b.zip")
    age(good, 120)
    services.roster_sync_run(sync_id=sync.pk)
    broken.write_bytes(b"PK\x03\x04 not a zip")
    age(broken, 120)

    services.roster_sync_run(sync_id=sync.pk)

    assert failure_mails(world) == 2


def test_a_missing_drop_folder_is_a_failed_run_not_a_crash(world, drop_root):
    sync = drop_sync(world)
    sync.drop_folder = "nowhere"
    sync.save()

    roster_import = services.roster_sync_run(sync_id=sync.pk)

    assert roster_import.status == RosterImportStatus.FAILED
    assert "does not exist" in roster_import.report["problems"][0]["message"]


# --- OneRoster REST API ---------------------------------------------------------------------


def test_it_pulls_every_page_with_a_token_and_imports_guardians(world, api):
    sync = api_sync(world, api)

    roster_import = services.roster_sync_run(sync_id=sync.pk)

    assert roster_import.status == RosterImportStatus.SUCCEEDED, roster_import.report
    assert roster_import.source == "api"
    assert Student.objects.filter(district=world.district).count() == 2
    pat = Guardian.objects.get(district=world.district)
    assert (pat.email, pat.phone, pat.preferred_language) == ("pat@family.example.org", "+1 555 0100", "es")
    assert pat.student_links.get().student.sis_id == "1001"
    assert sum(1 for path in api.requests if path.startswith("/ims/oneroster/v1p1/users")) == 3  # 5 users, 2 a page
    assert api.requests[0] == "/token"
    assert not list(Path(services._upload_dir()).iterdir())  # the pulled bundle is not kept


def test_it_reads_students_birth_dates_where_the_server_shares_demographics(world, api):
    api.collections["demographics"] = [
        {"sourcedId": "s1", "status": "active", "birthDate": "2011-04-02", "sex": "female"},
        {"sourcedId": "s2", "status": "active", "birthDate": "2010-12-31"},
    ]
    sync = api_sync(world, api)

    roster_import = services.roster_sync_run(sync_id=sync.pk)

    assert roster_import.status == RosterImportStatus.SUCCEEDED, roster_import.report
    assert dict(Student.objects.values_list("sis_id", "birth_date")) == {
        "1001": datetime.date(2011, 4, 2),
        "1002": datetime.date(2010, 12, 31),
    }


def test_a_server_that_does_not_share_demographics_still_syncs(world, api):
    sync = api_sync(world, api)  # the test server answers 404 for demographics, as many do

    roster_import = services.roster_sync_run(sync_id=sync.pk)

    assert roster_import.status == RosterImportStatus.SUCCEEDED, roster_import.report
    assert "/ims/oneroster/v1p1/demographics?limit=2&offset=0" in api.requests
    assert not Student.objects.exclude(birth_date=None).exists()


def test_a_server_error_on_demographics_still_stops_the_pull(world, api):
    api.collections["demographics"] = []
    api.failure = Failure("demographics", 0)
    sync = api_sync(world, api)

    run = services.roster_sync_run(sync_id=sync.pk)

    assert run.status == RosterImportStatus.FAILED
    assert "answered 500" in run.report["problems"][0]["message"]
    assert not Student.objects.exists()


def test_it_pages_by_total_count_when_the_server_sends_no_link(world, api):
    api.use_link_header = False
    sync = api_sync(world, api)

    assert services.roster_sync_run(sync_id=sync.pk).status == RosterImportStatus.SUCCEEDED
    assert User.objects.filter(roster_sourced_id="t1").exists()


@pytest.mark.parametrize(
    ("failure", "secret", "says"),
    [
        pytest.param(Failure("users", 2), CLIENT_SECRET, "answered 500", id="server-error-midway"),
        pytest.param(Failure("users", 2, broken_json=True), CLIENT_SECRET, "not JSON", id="malformed-json-midway"),
        pytest.param(None, "wrong-secret", "refused the client id and secret", id="wrong-credentials"),
    ],
)
def test_a_failed_pull_writes_nothing_reports_once_and_mails_once(world, api, failure, secret, says):
    api.failure = failure
    sync = api_sync(world, api, secret=secret)

    runs = [services.roster_sync_run(sync_id=sync.pk) for _ in range(3)]  # beat tries again and again

    assert all(run.status == RosterImportStatus.FAILED for run in runs)
    assert says in runs[0].report["problems"][0]["message"]
    assert CLIENT_SECRET not in str(runs[0].report)
    assert not Student.objects.exists() and not Guardian.objects.exists()
    assert failure_mails(world) == 1


def test_a_pull_never_reaches_an_api_on_this_server_or_a_private_network(world, api, settings):
    settings.ROSTER_API_ALLOW_PRIVATE_ADDRESSES = False  # the installation's default
    sync = api_sync(world, api)

    run = services.roster_sync_run(sync_id=sync.pk)

    assert run.status == RosterImportStatus.FAILED
    assert "127.0.0.1 is a private or local address" in run.report["problems"][0]["message"]
    assert api.requests == []  # refused before connecting: not even the token was asked for


@pytest.fixture
def other_server():
    yield from serve()


def test_a_next_page_on_another_address_is_not_followed_with_the_token(world, api, other_server):
    api.next_link_origin = f"http://localhost:{other_server.port}"
    sync = api_sync(world, api)

    run = services.roster_sync_run(sync_id=sync.pk)

    assert run.status == RosterImportStatus.FAILED
    assert "next page is on another address" in run.report["problems"][0]["message"]
    assert other_server.requests == []
    assert not Student.objects.exists()


def test_an_api_sync_is_due_again_only_after_its_interval(world, api, today):
    sync = api_sync(world, api)
    assert services.roster_syncs_due() == [sync.pk]
    services.roster_sync_run(sync_id=sync.pk)

    assert services.roster_syncs_due() == []


def test_a_run_already_claimed_is_not_run_twice(world, drop_root, today):
    sync = drop_sync(world)
    RosterSync.objects.filter(pk=sync.pk).update(claimed_until="2026-11-21T18:00:00Z")

    assert services.roster_sync_run(sync_id=sync.pk) is None
    assert services.roster_syncs_due() == []


# --- The settings page -------------------------------------------------------------------------


def test_the_director_saves_settings_and_the_secret_is_stored_encrypted_and_never_shown(client, world, settings):
    settings.ROSTER_API_ALLOW_HTTP = False
    client.force_login(world.director)
    url = reverse("roster_sync_settings", args=[world.district.slug])

    response = client.post(
        url,
        {
            "enabled": "on",
            "source": "api",
            "interval_hours": "24",
            "drop_folder": "north",
            "api_base_url": "https://sis.example.org/ims/oneroster/v1p1",
            "api_token_url": "https://sis.example.org/oauth/token",
            "api_client_id": "abc",
            "api_version": "1.1",
            "client_secret": "Sup3r-Secret-Value",
        },
    )

    assert response.status_code == 302
    sync = RosterSync.objects.get(district=world.district)
    assert "Sup3r-Secret-Value" not in sync.api_client_secret
    assert credentials.decrypt(sync.api_client_secret) == "Sup3r-Secret-Value"
    page = client.get(url).content.decode()
    assert "Sup3r-Secret-Value" not in page and sync.api_client_secret not in page
    assert "A client secret is stored" in page
    assert "Sup3r-Secret-Value" not in str(list(sync.history.values()))


def test_the_settings_page_refuses_a_plain_http_address_and_a_path_for_a_folder(client, world, settings):
    settings.ROSTER_API_ALLOW_HTTP = False
    client.force_login(world.director)

    response = client.post(
        reverse("roster_sync_settings", args=[world.district.slug]),
        {"enabled": "on", "source": "api", "interval_hours": "24", "drop_folder": "../etc",
         "api_base_url": "http://sis.example.org/x", "api_token_url": "https://sis.example.org/t",
         "api_client_id": "abc", "api_version": "1.1", "client_secret": "x"},
    )  # fmt: skip

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"drop_folder", "api_base_url"}
    assert not RosterSync.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata address
        "https://127.0.0.1:5432/",
        "https://localhost/ims/oneroster/v1p1",
        "https://10.0.0.8/ims/oneroster/v1p1",
        "https://[::1]/ims/oneroster/v1p1",
    ],
)
def test_the_settings_page_refuses_an_address_on_this_server_or_a_private_network(client, world, settings, address):
    settings.ROSTER_API_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(world.director)

    response = client.post(
        reverse("roster_sync_settings", args=[world.district.slug]),
        {"enabled": "on", "source": "api", "interval_hours": "24", "drop_folder": "north",
         "api_base_url": address, "api_token_url": "https://sis.example.org/t",
         "api_client_id": "abc", "api_version": "1.1", "client_secret": "x"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["form"].errors["api_base_url"] == [
        "Use the API's public address: addresses on this server or a private network are not reached."
    ]
    assert not RosterSync.objects.exists()
