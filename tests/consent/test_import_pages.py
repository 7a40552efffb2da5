"""The import as a clerk uses it: upload, read the changes, confirm."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consent.models import ConsentImport, ConsentRecord
from tests.factories import StudentFactory


def upload(client, district, text: str, name: str = "answers.csv"):
    return client.post(
        reverse("consent:import_upload", args=[district.slug]),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def test_it_shows_the_changes_before_recording_them_and_records_on_confirmation(client, world, scopes, today):
    student = StudentFactory(school=world.school, sis_id="N100", last_name="Previewson")
    client.force_login(world.clerk)

    response = upload(
        client, world.district, "sis_id,scope,decision,date,guardian\nN100,social_media,refused,2026-11-02,Mo\n"
    )
    preview = client.get(response["Location"]).content.decode()

    assert "Previewson" in preview and "first answer" in preview
    assert not ConsentRecord.objects.exists()
    applied = client.post(response["Location"])
    assert applied.status_code == 302
    assert ConsentRecord.objects.get().student == student
    assert "Recorded 1 answer" in client.get(applied["Location"]).content.decode()


def test_it_lists_every_problem_by_line_and_field_and_records_nothing(client, world, scopes, today):
    StudentFactory(school=world.school, sis_id="N100")
    client.force_login(world.clerk)

    response = upload(
        client,
        world.district,
        "sis_id,scope,decision,date\nN100,social_media,granted,2026-11-02\nN404,yearbook,maybe,31/31/2026\n",
    )
    page = client.get(response["Location"]).content.decode()

    assert "Nothing was recorded" in page
    for field in ("sis_id", "decision", "date"):
        assert f"<td>3</td><td>{field}</td>" in page
    assert ConsentImport.objects.get().status == "refused"
    assert not ConsentRecord.objects.exists()
    assert client.post(response["Location"]).status_code == 302  # applying a refused file does nothing
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00\x00", b"sis_id\n" + b"x" * 100_000, b'=HYPERLINK("http://x")\n1,2,3', b"\x00\x00\x00"],
)
def test_it_answers_any_file_with_a_report_not_an_error(client, world, scopes, today, content):
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:import_upload", args=[world.district.slug]),
        {"file": SimpleUploadedFile("odd.csv", content, content_type="text/csv")},
    )

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200
    assert not ConsentRecord.objects.exists()


def test_it_refuses_a_file_larger_than_the_limit(client, world, scopes, settings):
    settings.CONSENT_UPLOAD_MAX_BYTES = 100
    client.force_login(world.clerk)

    response = upload(client, world.district, "sis_id,scope,decision,date\n" + "N1,yearbook,granted,2026-01-01\n" * 10)

    assert response.status_code == 200 and "larger than" in response.content.decode()
    assert not ConsentImport.objects.exists()


def test_it_keeps_one_clerks_uploads_from_another_school(client, world, scopes, today):
    client.force_login(world.clerk)
    response = upload(client, world.district, "sis_id,scope,decision,date\n")
    other_clerk = world.other_principal

    client.force_login(other_clerk)

    assert client.get(response["Location"]).status_code == 404
    client.force_login(world.director)
    assert client.get(response["Location"]).status_code == 200
