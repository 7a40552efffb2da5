"""Preview, then apply: a dry run lists by name who would be added, matched, changed and deactivated;
the director applies exactly that file, refused once the file or the district's roster changed. A
district's first import links the schools and staff made before it instead of making them twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services
from accounts.models import RosterImport, RosterImportStatus, School, Student, User
from accounts.roster import import_roster
from tests.accounts.bundles import standard_files, write_bundle
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(client, world, django_capture_on_commit_callbacks):
    def post(path: Path, dry_run: bool = True) -> RosterImport:
        data = {"bundle": SimpleUploadedFile("export.zip", path.read_bytes(), content_type="application/zip")}
        if dry_run:
            data["dry_run"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("roster_import_list", args=[world.district.slug]), data)
        return RosterImport.objects.order_by("-pk").first()

    return post


@pytest.fixture
def apply(client, django_capture_on_commit_callbacks):
    def post(preview: RosterImport):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("roster_import_apply", args=[preview.pk]))

    return post


def test_a_dry_run_lists_by_name_who_would_be_added_and_changes_nothing(client, world, tmp_path, upload):
    client.force_login(world.director)

    preview = upload(write_bundle(tmp_path, as_zip=True))

    assert preview.status == RosterImportStatus.SUCCEEDED and preview.is_preview
    names = set(preview.preview_rows.values_list("entity", "action", "name"))
    assert ("students", "added", "Sam Student") in names
    assert ("staff", "added", "Grace Hopper") in names
    assert ("schools", "added", "North Elementary") in names
    assert not Student.objects.exists()
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "Sam Student" in page and "Apply this preview" in page


def test_the_preview_is_paginated_and_downloads_as_a_csv_no_spreadsheet_runs(
    client, world, tmp_path, upload, monkeypatch
):
    monkeypatch.setattr("accounts.views.PAGE_SIZE", 3)
    files = standard_files()
    files["users.csv"][3]["givenName"] = "=HYPERLINK(1)"
    client.force_login(world.director)
    preview = upload(write_bundle(tmp_path, files, as_zip=True))

    first = client.get(preview.get_absolute_url()).content.decode()
    second = client.get(preview.get_absolute_url() + "?page=2").content.decode()
    download = b"".join(client.get(reverse("roster_import_changes_csv", args=[preview.pk])).streaming_content)

    assert "page=2" in first
    assert first.count("<td>Added</td>") == 3 and second.count("<td>Added</td>") == 3
    text = download.decode("utf-8-sig")
    assert "'=HYPERLINK(1) Student" in text and "\n=HYPERLINK" not in text
    assert text.count("\n") == preview.preview_rows.count() + 1


def test_applying_the_preview_imports_exactly_that_file_once(client, world, tmp_path, upload, apply):
    client.force_login(world.director)
    preview = upload(write_bundle(tmp_path, as_zip=True))

    response = apply(preview)

    applied = RosterImport.objects.get(applies=preview)
    assert response["Location"] == applied.get_absolute_url()
    assert applied.status == RosterImportStatus.SUCCEEDED, applied.report
    assert applied.report["counts"]["students"] == preview.report["counts"]["students"]
    assert Student.objects.filter(district=world.district).count() == 4
    assert not any((Path(services._upload_dir())).iterdir())  # the bundle is gone once applied
    apply(preview)  # a second click
    assert RosterImport.objects.filter(applies=preview).count() == 1


def test_a_preview_is_refused_once_another_import_changed_the_roster(client, world, tmp_path, upload, apply):
    client.force_login(world.director)
    preview = upload(write_bundle(tmp_path / "a", as_zip=True))
    files = standard_files()
    files["users.csv"] = files["users.csv"][:3]
    files.pop("enrollments.csv")
    import_roster(world.district, write_bundle(tmp_path / "b", files))  # another import ran since

    response = apply(preview)

    assert response["Location"] == preview.get_absolute_url()
    assert not RosterImport.objects.filter(applies=preview).exists()
    assert Student.objects.count() == 0  # the other import had staff only
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["The district's roster changed since this preview (another import ran). Make a new preview."]


def test_the_import_itself_refuses_a_preview_overtaken_while_it_waited(world, tmp_path, upload, client):
    client.force_login(world.director)
    preview = upload(write_bundle(tmp_path / "a", as_zip=True))
    applied = services.roster_import_apply(acting_user=world.director, preview=preview)  # queued, not yet run
    import_roster(world.district, write_bundle(tmp_path / "b"))

    services.roster_import_run(roster_import_id=applied.pk)

    applied.refresh_from_db()
    assert applied.status == RosterImportStatus.FAILED
    assert "changed since this preview" in applied.report["problems"][0]["message"]


def test_a_preview_whose_file_changed_is_refused(world, tmp_path, upload, client):
    client.force_login(world.director)
    preview = upload(write_bundle(tmp_path / "a", as_zip=True))
    applied = services.roster_import_apply(acting_user=world.director, preview=preview)
    Path(applied.stored_path).write_bytes(
        write_bundle(tmp_path / "b", {"orgs.csv": [], "users.csv": []}, as_zip=True).read_bytes()
    )

    services.roster_import_run(roster_import_id=applied.pk)

    applied.refresh_from_db()
    assert applied.status == RosterImportStatus.FAILED
    assert applied.report["problems"][0]["message"] == "the file changed since the preview; make a new preview"
    assert not Student.objects.exists()


def test_a_first_import_links_schools_by_code_and_staff_by_email_and_the_preview_says_so(
    client, world, tmp_path, upload, apply
):
    """The demo's schools (same names and codes, no roster ids yet) were duplicated by a first import."""
    high = SchoolFactory(district=world.district, name="North High School", code="101")
    files = standard_files()
    files["users.csv"][0]["email"] = world.staff.email
    client.force_login(world.director)

    preview = upload(write_bundle(tmp_path, files, as_zip=True))

    rows = set(preview.preview_rows.values_list("entity", "action", "detail"))
    assert ("schools", "matched", "code 101") in rows
    assert ("staff", "matched", world.staff.email) in rows
    assert preview.report["counts"]["schools"]["matched"] == 1
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "Matched by school code: 1 school" in page
    apply(preview)
    high.refresh_from_db()
    assert (high.roster_sourced_id, high.name) == ("sch1", "North High")
    assert School.objects.filter(district=world.district, code="101").count() == 1
    assert User.objects.get(pk=world.staff.pk).roster_sourced_id == "t1"


def test_an_ambiguous_school_code_is_not_matched(world, tmp_path):
    SchoolFactory(district=world.district, name="North High A", code="101")
    SchoolFactory(district=world.district, name="North High B", code="101")

    report = import_roster(world.district, write_bundle(tmp_path))

    assert "matched" not in report.counts["schools"]
    assert School.objects.filter(district=world.district, roster_sourced_id="sch1").count() == 1
