"""The consent import reading the district's own export: its columns mapped once on the upload page,
students found by id or by name and birth date, and a template with the district's headers."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consent.models import ConsentImport, ConsentImportMapping, ConsentRecord
from tests.factories import ConsentScopeFactory, StudentFactory

EXPORT_HEADER = "Student Number,Given Name,Surname,DOB,Returned,Photo Release,Yearbook Photo"


def mapping_data(scopes, **changes: str) -> dict[str, str]:
    data = {
        "layout": "district",
        "column_sis_id": "Student Number",
        "column_first_name": "Given Name",
        "column_last_name": "Surname",
        "column_birth_date": "DOB",
        "column_date": "Returned",
        "column_school_year": "",
        "column_guardian": "",
        f"column_scope_{scopes['social_media'].pk}": "Photo Release",
        f"column_scope_{scopes['yearbook'].pk}": "Yearbook Photo",
    }
    for scope in scopes.values():
        data.setdefault(f"column_scope_{scope.pk}", "")
    return {**data, **changes}


def upload(client, district, text: str, data: dict[str, str], name: str = "export.csv"):
    return client.post(
        reverse("consent:import_upload", args=[district.slug]),
        {**data, "file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def problems(response) -> list[dict]:
    return ConsentImport.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1])).problems


def test_it_reads_the_districts_export_through_its_columns_one_student_per_row(client, world, scopes, today):
    pupil = StudentFactory(school=world.school, sis_id="N100")
    client.force_login(world.clerk)

    response = upload(client, world.district, f"{EXPORT_HEADER}\nN100,,,,11/02/2026,Yes,no\n", mapping_data(scopes))
    client.post(response["Location"])

    recorded = {r.scope.kind: r.decision for r in ConsentRecord.objects.filter(student=pupil).select_related("scope")}
    assert recorded == {"social_media": "granted", "yearbook": "refused"}
    assert ConsentRecord.objects.filter(received_on=datetime.date(2026, 11, 2), school_year=2026).count() == 2


def test_it_saves_the_mapping_for_the_district_and_fills_it_in_next_time(client, world, scopes, today):
    client.force_login(world.clerk)

    upload(client, world.district, f"{EXPORT_HEADER}\n", mapping_data(scopes))
    response = client.get(reverse("consent:import_upload", args=[world.district.slug]))

    saved = ConsentImportMapping.objects.get(district=world.district)
    assert saved.columns["sis_id"] == "Student Number"
    assert saved.columns["scopes"][str(scopes["yearbook"].pk)] == "Yearbook Photo"
    page = response.content.decode()
    assert 'value="Student Number"' in page and 'value="Yearbook Photo"' in page
    assert response.context["form"]["layout"].value() == "district"


def test_it_finds_a_student_without_an_id_by_name_and_birth_date(client, world, scopes, today):
    pupil = StudentFactory(
        school=world.school, first_name="Ana", last_name="Lindqvist", birth_date=datetime.date(2014, 5, 21)
    )
    StudentFactory(school=world.school, first_name="Ana", last_name="Lindqvist", birth_date=datetime.date(2015, 1, 2))
    client.force_login(world.clerk)

    response = upload(
        client,
        world.district,
        f"{EXPORT_HEADER}\n,ana,LINDQVIST,5/21/2014,2026-11-02,granted,\n",
        mapping_data(scopes),
    )
    client.post(response["Location"])

    assert list(ConsentRecord.objects.values_list("student", "scope__kind", "decision")) == [
        (pupil.pk, "social_media", "granted")
    ]


def test_it_refuses_an_ambiguous_name_and_birth_date_naming_file_line_and_field(client, world, scopes, today):
    for _ in range(2):
        StudentFactory(
            school=world.school, first_name="Ana", last_name="Lindqvist", birth_date=datetime.date(2014, 5, 21)
        )
    client.force_login(world.clerk)

    response = upload(
        client,
        world.district,
        f"{EXPORT_HEADER}\n,Ana,Lindqvist,2014-05-21,2026-11-02,granted,\n",
        mapping_data(scopes),
        name="june-export.csv",
    )

    [problem] = problems(response)
    assert (problem["file"], problem["line"], problem["field"]) == ("june-export.csv", 2, "Given Name + Surname + DOB")
    assert "2 students" in problem["message"]
    assert ConsentImport.objects.get().status == "refused"
    assert client.post(response["Location"]).status_code == 302
    assert not ConsentRecord.objects.exists()


def test_it_refuses_an_unknown_name_and_a_bad_answer_and_records_nothing(client, world, scopes, today):
    StudentFactory(school=world.school, sis_id="N100")
    StudentFactory(
        school=world.foreign_school, first_name="Sam", last_name="South", birth_date=datetime.date(2014, 1, 1)
    )
    client.force_login(world.clerk)

    response = upload(
        client,
        world.district,
        f"{EXPORT_HEADER}\nN100,,,,2026-11-02,granted,granted\n,Sam,South,2014-01-01,2026-11-02,granted,\n"
        "N100,,,,2026-11-02,,maybe\n",
        mapping_data(scopes),
    )

    found = {(p["line"], p["field"]) for p in problems(response)}
    assert found == {(3, "Given Name + Surname + DOB"), (4, "Yearbook Photo")}
    assert not ConsentRecord.objects.exists()


def test_it_names_a_mapped_column_missing_from_the_file(client, world, scopes, today):
    client.force_login(world.clerk)

    response = upload(client, world.district, "Student Number,Returned\nN1,2026-11-02\n", mapping_data(scopes))

    assert (1, "Photo Release") in {(p["line"], p["field"]) for p in problems(response)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"column_date": ""}, "column_date"),
        ({"column_sis_id": "", "column_birth_date": ""}, "column_birth_date"),
        ({"column_guardian": "student number"}, "column_guardian"),
    ],
)
def test_it_refuses_a_mapping_that_cannot_be_read(client, world, scopes, today, changes, field):
    client.force_login(world.clerk)

    response = upload(client, world.district, f"{EXPORT_HEADER}\n", mapping_data(scopes, **changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ConsentImport.objects.exists() and not ConsentImportMapping.objects.exists()


def test_it_keeps_reading_the_standard_layout_when_no_layout_is_given(client, world, scopes, today):
    StudentFactory(school=world.school, sis_id="N100")
    client.force_login(world.clerk)

    response = upload(client, world.district, "sis_id,scope,decision,date\nN100,yearbook,granted,2026-11-02\n", {})
    client.post(response["Location"])

    assert ConsentRecord.objects.get().scope == scopes["yearbook"]
    assert not ConsentImportMapping.objects.exists()


def template_header(client, district) -> list[str]:
    response = client.get(reverse("consent:import_template", args=[district.slug]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


def test_it_offers_a_template_with_a_column_per_active_consent(client, world, scopes, today):
    ConsentScopeFactory(district=world.district, name="Retired scope", active=False)
    ConsentScopeFactory(district=world.district, kind="participation", name="Taking part in Kahoot")
    client.force_login(world.clerk)

    header = template_header(client, world.district)

    picture_scopes = [s.name for s in sorted(scopes.values(), key=lambda s: (s.position, s.name))]
    assert header[:7] == [
        "Student id",
        "First name",
        "Last name",
        "Birth date",
        "Date received",
        "School year",
        "Parent or guardian",
    ]
    assert header[7:] == picture_scopes
    page = client.get(reverse("consent:import_upload", args=[world.district.slug])).content.decode()
    assert reverse("consent:import_template", args=[world.district.slug]) in page


def test_it_offers_the_template_with_the_districts_saved_headers(client, world, scopes, today):
    client.force_login(world.clerk)
    upload(client, world.district, f"{EXPORT_HEADER}\n", mapping_data(scopes))

    header = template_header(client, world.district)

    assert header[:5] == ["Student Number", "Given Name", "Surname", "DOB", "Returned"]
    assert "Photo Release" in header and "Yearbook Photo" in header


def test_it_keeps_the_template_and_mapping_to_those_who_import_for_the_district(client, world, scopes):
    client.force_login(world.foreign_principal)

    assert client.get(reverse("consent:import_template", args=[world.district.slug])).status_code == 404
    client.force_login(world.staff)
    assert client.get(reverse("consent:import_template", args=[world.district.slug])).status_code == 404
