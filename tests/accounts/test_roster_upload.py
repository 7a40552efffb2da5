"""Uploading a roster on the web (a Celery task) and importing it from the command line."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import RosterImport, RosterImportStatus, Student, User
from tests.accounts.bundles import standard_files, write_bundle


@pytest.fixture
def upload(client, world, django_capture_on_commit_callbacks):
    def post(path: Path, dry_run: bool = False, confirm_departures: bool = False):
        data = {"bundle": SimpleUploadedFile("export.zip", path.read_bytes(), content_type="application/zip")}
        if dry_run:
            data["dry_run"] = "on"
        if confirm_departures:
            data["confirm_departures"] = "on"
        # The task is queued after commit, as in production.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("roster_import_list", args=[world.district.slug]), data)

    return post


def test_a_director_uploads_a_roster_and_sees_the_result(client, world, tmp_path, upload, settings):
    client.force_login(world.director)

    response = upload(write_bundle(tmp_path, as_zip=True))

    roster_import = RosterImport.objects.get()
    assert response["Location"] == roster_import.get_absolute_url()
    assert roster_import.status == RosterImportStatus.SUCCEEDED
    assert roster_import.report["counts"]["students"]["created"] == 4
    assert Student.objects.filter(district=world.district).count() == 4
    assert roster_import.uploaded_by == world.director
    assert not any((Path(settings.MEDIA_ROOT) / "roster").iterdir())  # the upload is not kept
    page = client.get(roster_import.get_absolute_url()).content.decode()
    assert "Imported" in page


def test_it_shows_the_staff_it_matched_by_email_on_the_report(client, world, tmp_path, upload):
    files = standard_files()
    files["users.csv"][0]["email"] = "Teacher@north.example.org"  # world.staff, made by hand
    client.force_login(world.director)

    upload(write_bundle(tmp_path, files, as_zip=True))

    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImportStatus.SUCCEEDED
    world.staff.refresh_from_db()
    assert world.staff.roster_sourced_id == "t1"
    page = client.get(roster_import.get_absolute_url()).content.decode()
    assert "1 matched" in page
    assert "Matched by e-mail address: 1 staff account made in this system" in page


def test_an_uploaded_dry_run_changes_nothing(client, world, tmp_path, upload):
    client.force_login(world.director)

    upload(write_bundle(tmp_path, as_zip=True), dry_run=True)

    assert RosterImport.objects.get().report["counts"]["students"]["created"] == 4
    assert not Student.objects.exists()


def test_a_bad_upload_lists_its_problems_and_changes_nothing(client, world, tmp_path, upload):
    files = standard_files()
    files["users.csv"][0]["grades"] = "yesterday"
    client.force_login(world.director)

    upload(write_bundle(tmp_path, files, as_zip=True))

    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImportStatus.FAILED
    page = client.get(roster_import.get_absolute_url()).content.decode()
    assert "Nothing was changed" in page
    assert "grades" in page
    assert not Student.objects.exists()


def leavers_only(tmp_path: Path) -> Path:
    """A bundle whose users.csv has only its header: everyone from the roster would leave."""
    return write_bundle(tmp_path, {"orgs.csv": standard_files()["orgs.csv"], "users.csv": []}, as_zip=True)


def test_a_director_confirms_on_the_form_that_the_people_a_file_leaves_out_have_left(client, world, tmp_path, upload):
    client.force_login(world.director)
    form = client.get(reverse("roster_import_list", args=[world.district.slug])).content.decode()
    assert "I confirm that the people this file leaves out have left" in form
    box = re.search(r'<input type="checkbox" name="confirm_departures"[^>]*>', form)
    assert box and "checked" not in box.group()  # unticked until the director ticks it
    upload(write_bundle(tmp_path / "a", as_zip=True))

    upload(leavers_only(tmp_path / "b"))
    refused = RosterImport.objects.latest("created_at")
    upload(leavers_only(tmp_path / "c"), confirm_departures=True)
    confirmed = RosterImport.objects.latest("created_at")

    assert (refused.status, refused.confirm_departures) == (RosterImportStatus.FAILED, False)
    page = client.get(refused.get_absolute_url()).content.decode()
    assert "would deactivate 3 of the district&#x27;s 3 active staff" in page
    assert (confirmed.status, confirmed.confirm_departures) == (RosterImportStatus.SUCCEEDED, True)
    assert "departures confirmed" in client.get(confirmed.get_absolute_url()).content.decode()
    assert not User.objects.filter(roster_sourced_id__isnull=False, is_active=True).exists()
    assert not Student.objects.filter(active=True).exists()


def test_a_file_that_is_not_a_zip_is_refused_on_the_form(client, world):
    client.force_login(world.director)
    data = {"bundle": SimpleUploadedFile("export.csv", b"sourcedId,name\n1,x\n")}

    response = client.post(reverse("roster_import_list", args=[world.district.slug]), data)

    assert response.status_code == 200
    assert "not a zip file" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_running_import_shows_its_progress_to_htmx(client, world):
    roster_import = RosterImport.objects.create(
        district=world.district, file_name="x.zip", status=RosterImportStatus.RUNNING
    )
    client.force_login(world.director)

    response = client.get(roster_import.get_absolute_url(), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<progress" in response.content.decode()
    assert 'hx-trigger="every 1s"' in response.content.decode()


def test_a_finished_import_asks_htmx_to_reload_the_page(client, world):
    roster_import = RosterImport.objects.create(
        district=world.district, file_name="x.zip", status=RosterImportStatus.SUCCEEDED
    )
    client.force_login(world.director)

    response = client.get(roster_import.get_absolute_url(), headers={"HX-Request": "true"})

    assert response["HX-Refresh"] == "true"


def test_another_districts_director_cannot_see_an_import(client, world):
    roster_import = RosterImport.objects.create(district=world.district, file_name="x.zip")
    client.force_login(world.foreign_director)

    assert client.get(roster_import.get_absolute_url()).status_code == 404


def test_a_queued_import_runs_only_once(world, tmp_path):
    stored = write_bundle(tmp_path, as_zip=True)
    roster_import = RosterImport.objects.create(district=world.district, file_name="x.zip", stored_path=str(stored))

    first = services.roster_import_run(roster_import_id=roster_import.pk)
    second = services.roster_import_run(roster_import_id=roster_import.pk)

    assert first is not None and first.status == RosterImportStatus.SUCCEEDED
    assert second is None


def test_the_command_imports_and_prints_counts(world, tmp_path, capsys):
    call_command("import_roster", str(write_bundle(tmp_path)), "--district", "north", "--no-progress")

    out = capsys.readouterr().out
    assert "students: created 4" in out
    assert RosterImport.objects.get().status == RosterImportStatus.SUCCEEDED


def test_the_command_dry_run_says_what_would_change(world, tmp_path, capsys):
    call_command("import_roster", str(write_bundle(tmp_path)), "--district", "north", "--dry-run")

    captured = capsys.readouterr()
    assert "would do this" in captured.out
    assert "100.0%" in captured.err  # the progress bar reached the end
    assert not Student.objects.exists()


def test_the_command_lists_problems_and_fails(world, tmp_path, capsys):
    files = standard_files()
    files["users.csv"][1]["orgSourcedIds"] = "nowhere"

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_roster", str(write_bundle(tmp_path, files)), "--district", "north", "--no-progress")

    assert "users.csv, line 3, field orgSourcedIds: unknown org 'nowhere'" in capsys.readouterr().err


def test_the_command_deactivates_more_than_the_share_only_when_confirmed(world, tmp_path, capsys):
    call_command("import_roster", str(write_bundle(tmp_path / "a")), "--district", "north", "--no-progress")
    leavers = write_bundle(tmp_path / "b", {"orgs.csv": standard_files()["orgs.csv"], "users.csv": []})

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_roster", str(leavers), "--district", "north", "--no-progress")
    assert "users.csv: would deactivate 3 of the district's 3 active staff" in capsys.readouterr().err
    assert User.objects.filter(roster_sourced_id="t1", is_active=True).exists()

    call_command("import_roster", str(leavers), "--district", "north", "--no-progress", "--confirm-departures")

    assert "staff: created 0, changed 0, deactivated 3" in capsys.readouterr().out
    assert RosterImport.objects.latest("created_at").confirm_departures


def test_the_command_needs_a_known_district(world, tmp_path):
    with pytest.raises(CommandError, match="No district"):
        call_command("import_roster", str(write_bundle(tmp_path)), "--district", "atlantis")


def test_an_upload_the_broker_never_got_is_queued_again(world, tmp_path, monkeypatch):
    from accounts.tasks import requeue_roster_imports

    monkeypatch.setattr("accounts.tasks.run_roster_import.delay", lambda *args: None)  # the broker lost it
    roster_import = services.roster_import_start(
        acting_user=world.director,
        district=world.district,
        upload=SimpleUploadedFile("export.zip", write_bundle(tmp_path, as_zip=True).read_bytes()),
        dry_run=False,
    )
    assert requeue_roster_imports.delay().get() == 0  # just queued: not stalled yet
    RosterImport.objects.filter(pk=roster_import.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    monkeypatch.undo()
    assert requeue_roster_imports.delay().get() == 1
    assert RosterImport.objects.get(pk=roster_import.pk).status == RosterImportStatus.SUCCEEDED
