"""Schools and staff a director adds by hand between roster syncs: the forms, the refusals, the audit,
and the next roster import (a file, a drop folder, a OneRoster server) matching them instead of adding
them twice."""

from __future__ import annotations

import datetime
import os
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import credentials, services
from accounts.models import Membership, Role, RosterImportStatus, RosterSync, School, SyncSource, User
from accounts.roster import import_roster
from audit.selectors import district_sources
from core.history import history_page
from tests.accounts.bundles import write_bundle
from tests.factories import DistrictFactory, MembershipFactory, SchoolFactory, UserFactory, staff_at
from tests.oneroster_server import CLIENT_ID, CLIENT_SECRET, serve

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 9, 1)


@pytest.fixture
def east():
    """A district with no roster import yet and a director (the roster's schools are not there)."""
    district = DistrictFactory(slug="east", name="East District")
    director = UserFactory(district=district, email="director@east.example.org", first_name="Dana", last_name="Reyes")
    MembershipFactory(user=director, role=Role.DIRECTOR, school=None)
    return district, director


# --- Adding by hand ---------------------------------------------------------------------------


def test_it_adds_a_school_by_hand_marked_and_audited(client, world):
    client.force_login(world.director)

    response = client.post(reverse("school_new"), {"name": "  Harbor Middle ", "code": "205"})

    school = School.objects.get(name="Harbor Middle")
    assert response.status_code == 302
    assert response["Location"] == school.get_absolute_url()
    assert (school.district, school.code, school.roster_sourced_id) == (world.district, "205", None)
    assert school.entered_by_hand_by == world.director and school.entered_by_hand_at is not None
    assert school.awaiting_roster
    row = School.history.get(id=school.pk)  # type: ignore[attr-defined]
    assert (row.history_user, row.history_change_reason, row.history_type) == (world.director, "Entered by hand", "+")
    entries = history_page(district_sources(world.district)).entries
    assert any(entry.kind == "School" and entry.name == "Harbor Middle" for entry in entries)


def test_it_adds_a_staff_member_by_hand_with_the_staff_role_at_their_school(client, world):
    client.force_login(world.director)

    response = client.post(
        reverse("staff_new"),
        {
            "first_name": "Nia",
            "last_name": "Okafor",
            "email": "Nia.Okafor@North.example.org",
            "job_title": "Art teacher",
            "employee_id": "E900",
            "school": world.other_school.pk,
        },
    )

    nia = User.objects.get(email="nia.okafor@north.example.org")
    assert response.status_code == 302 and response["Location"] == nia.get_absolute_url()
    assert (nia.district, nia.employee_id, nia.job_title, nia.has_usable_password()) == (
        world.district,
        "E900",
        "Art teacher",
        False,
    )
    assert nia.entered_by_hand_by == world.director
    assert list(Membership.objects.filter(user=nia).values_list("role", "school", "source")) == [
        (Role.STAFF, world.other_school.pk, "manual")
    ]
    row = User.history.get(id=nia.pk)  # type: ignore[attr-defined]
    assert (row.history_user, row.history_change_reason) == (world.director, "Entered by hand")


def test_it_shows_who_entered_them_by_hand_on_the_lists_and_pages(client, world):
    with time_machine.travel(datetime.datetime(2026, 10, 5, 15, tzinfo=datetime.UTC), tick=False):
        school = services.school_create_by_hand(acting_user=world.director, district=world.district, name="Harbor")
        nia = services.staff_create_by_hand(
            acting_user=world.director, district=world.district, email="nia@north.example.org", first_name="Nia",
            last_name="Okafor",
        )  # fmt: skip
    client.force_login(world.director)
    mark = f"Entered by hand on Oct. 5, 2026 by {world.director.full_name}"

    for url in (reverse("school_list"), school.get_absolute_url(), reverse("staff_list"), nia.get_absolute_url()):
        assert mark in client.get(url).content.decode(), url


def test_the_lists_cost_the_same_with_many_entered_by_hand(client, world):
    client.force_login(world.director)
    services.school_create_by_hand(acting_user=world.director, district=world.district, name="Harbor 0")

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {url: cost(url) for url in (reverse("school_list"), reverse("staff_list"))}
    for n in range(1, 6):
        services.school_create_by_hand(acting_user=world.director, district=world.district, name=f"Harbor {n}")
        services.staff_create_by_hand(
            acting_user=world.director, district=world.district, email=f"p{n}@north.example.org", first_name="P",
            last_name=f"Person {n}",
        )  # fmt: skip
    for url, queries in before.items():
        assert cost(url) == queries, url


# --- Refusals ----------------------------------------------------------------------------------


def test_it_refuses_a_school_whose_name_or_code_the_district_already_has(client, world):
    SchoolFactory(district=world.district, name="Lakeside", code="301")
    client.force_login(world.director)

    by_name = client.post(reverse("school_new"), {"name": "LAKESIDE", "code": ""})
    by_code = client.post(reverse("school_new"), {"name": "Lakeside Annex", "code": "301"})

    assert by_name.status_code == 200 and "already has a school named" in by_name.content.decode()
    assert by_code.status_code == 200 and "already has a school with the code" in by_code.content.decode()
    assert School.objects.filter(district=world.district, name__istartswith="Lakeside").count() == 1


def test_it_refuses_an_email_already_in_use_whatever_its_case_even_in_another_district(client, world):
    client.force_login(world.director)
    taken = world.foreign_director.email.upper()

    response = client.post(reverse("staff_new"), {"first_name": "A", "last_name": "B", "email": taken})

    assert response.status_code == 200
    assert "Someone already signs in with the e-mail address" in response.content.decode()
    assert User.objects.filter(email__iexact=taken).count() == 1


def test_it_refuses_an_employee_id_someone_in_the_district_has(world):
    world.staff.employee_id = "E1"
    world.staff.save()

    with pytest.raises(ValidationError) as refused:
        services.staff_create_by_hand(
            acting_user=world.director, district=world.district, email="new@north.example.org", first_name="N",
            last_name="New", employee_id="E1",
        )  # fmt: skip

    assert "employee_id" in refused.value.message_dict


@pytest.mark.parametrize(
    ("page", "data", "field"),
    [
        ("school_new", {"name": "", "code": ""}, "name"),
        ("school_new", {"name": "x" * 201}, "name"),
        ("staff_new", {"first_name": "A", "last_name": "B", "email": "not an address"}, "email"),
        ("staff_new", {"first_name": "", "last_name": "B", "email": "b@north.example.org"}, "first_name"),
        (
            "staff_new",
            {"first_name": "A", "last_name": "B", "email": "b@north.example.org", "school": "99999"},
            "school",
        ),
    ],
)
def test_it_shows_field_errors_for_bad_input(client, world, page, data, field):
    client.force_login(world.director)
    schools, people = School.objects.count(), User.objects.count()

    response = client.post(reverse(page), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert (School.objects.count(), User.objects.count()) == (schools, people)


def test_a_school_of_another_district_is_refused(world):
    with pytest.raises(ValidationError):
        services.staff_create_by_hand(
            acting_user=world.director, district=world.district, email="x@north.example.org", first_name="X",
            last_name="Y", school=world.foreign_school,
        )  # fmt: skip


@pytest.mark.parametrize("persona", ["superintendent", "communications", "principal", "clerk", "staff"])
def test_only_the_director_may_add_by_hand(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("school_new")).status_code == 403
    assert (
        client.post(reverse("staff_new"), {"first_name": "A", "last_name": "B", "email": "a@b.org"}).status_code == 403
    )
    with pytest.raises(PermissionDenied):
        services.school_create_by_hand(acting_user=getattr(world, persona), district=world.district, name="Z")


def test_a_director_cannot_add_to_another_district(world):
    with pytest.raises(PermissionDenied):
        services.school_create_by_hand(acting_user=world.foreign_director, district=world.district, name="Z")
    with pytest.raises(PermissionDenied):
        services.staff_create_by_hand(
            acting_user=world.foreign_director, district=world.district, email="z@north.example.org", first_name="Z",
            last_name="Z",
        )  # fmt: skip


# --- The next roster import matches them -----------------------------------------------------


def test_the_next_file_import_matches_the_school_by_code_and_the_person_by_email(east, tmp_path):
    district, director = east
    annex = services.school_create_by_hand(acting_user=director, district=district, name="High Annex", code="101")
    ada = services.staff_create_by_hand(
        acting_user=director, district=district, email="ADA.Lovelace@North.example.org", first_name="Ada",
        last_name="L.",
    )  # fmt: skip

    report = import_roster(district, write_bundle(tmp_path), today=TODAY)

    assert report.ok, report.problems
    annex.refresh_from_db()
    ada.refresh_from_db()
    assert (annex.roster_sourced_id, annex.name, annex.code) == ("sch1", "North High", "101")
    assert annex.roster_matched_at is not None and not annex.awaiting_roster
    assert School.objects.filter(district=district).count() == 2  # sch2 added, sch1 not twice
    assert (ada.roster_sourced_id, ada.last_name, ada.employee_id) == ("t1", "Lovelace", "E001")
    assert ada.roster_matched_at is not None
    assert User.objects.filter(email__iexact="ada.lovelace@north.example.org").count() == 1
    assert report.counts["records entered by hand"] == {"matched": 2}
    assert report.counts["schools"]["created"] == 1
    assert report.counts["staff"]["created"] == 2  # Grace and Alan; Ada was matched


def test_the_next_import_matches_a_school_without_a_code_by_its_exact_name(east, tmp_path):
    district, director = east
    elementary = services.school_create_by_hand(acting_user=director, district=district, name="North Elementary")

    report = import_roster(district, write_bundle(tmp_path), today=TODAY)

    elementary.refresh_from_db()
    assert (elementary.roster_sourced_id, elementary.code) == ("sch2", "102")
    assert School.objects.filter(district=district, name="North Elementary").count() == 1
    assert report.counts["records entered by hand"] == {"matched": 1}
    again = import_roster(district, write_bundle(tmp_path / "again"), today=TODAY)
    assert "records entered by hand" not in again.counts  # matched once, then an ordinary roster school


def test_a_name_that_differs_is_not_a_match(east, tmp_path):
    district, director = east
    services.school_create_by_hand(acting_user=director, district=district, name="North Elementary School")

    report = import_roster(district, write_bundle(tmp_path), today=TODAY)

    assert "records entered by hand" not in report.counts
    assert School.objects.filter(district=district).count() == 3


def test_the_import_page_counts_the_matched_records(client, east, tmp_path):
    district, director = east
    services.staff_create_by_hand(
        acting_user=director, district=district, email="grace.hopper@north.example.org", first_name="Grace",
        last_name="Hopper",
    )  # fmt: skip
    roster_import = services.roster_import_from_path(
        acting_user=director, district=district, path=write_bundle(tmp_path), dry_run=False
    )
    client.force_login(director)

    page = client.get(roster_import.get_absolute_url()).content.decode()

    assert roster_import.status == RosterImportStatus.SUCCEEDED
    assert "Records entered by hand" in page and "1 matched" in page


def test_the_drop_folder_sync_matches_them(world, settings, tmp_path):
    settings.ROSTER_DROP_ROOT = tmp_path / "drop"
    settings.ROSTER_DROP_SETTLE_SECONDS = 60
    folder = tmp_path / "drop" / "north"
    folder.mkdir(parents=True)
    bundle = write_bundle(folder / "build", as_zip=True).rename(folder / "export.zip")
    then = time.time() - 120
    os.utime(bundle, (then, then))
    annex = services.school_create_by_hand(
        acting_user=world.director, district=world.district, name="Annex", code="102"
    )
    grace = services.staff_create_by_hand(
        acting_user=world.director, district=world.district, email="Grace.Hopper@north.example.org",
        first_name="Grace", last_name="Hopper",
    )  # fmt: skip
    sync = RosterSync.objects.create(
        district=world.district, enabled=True, source=SyncSource.DROP_FOLDER, drop_folder="north"
    )

    roster_import = services.roster_sync_run(sync_id=sync.pk)

    assert roster_import is not None and roster_import.status == RosterImportStatus.SUCCEEDED, roster_import
    annex.refresh_from_db()
    grace.refresh_from_db()
    assert (annex.roster_sourced_id, grace.roster_sourced_id) == ("sch2", "t2")
    assert User.objects.filter(email__iexact="grace.hopper@north.example.org").count() == 1
    assert roster_import.report["counts"]["records entered by hand"] == {"matched": 2}


def test_the_oneroster_api_sync_matches_them(world, settings):
    settings.ROSTER_API_ALLOW_HTTP = True
    settings.ROSTER_API_ALLOW_PRIVATE_ADDRESSES = True
    annex = services.school_create_by_hand(
        acting_user=world.director, district=world.district, name="Annex", code="102"
    )
    ada = services.staff_create_by_hand(
        acting_user=world.director, district=world.district, email="ada.LOVELACE@north.example.org",
        first_name="Ada", last_name="Lovelace",
    )  # fmt: skip
    for server in serve():
        sync = RosterSync.objects.create(
            district=world.district,
            enabled=True,
            source=SyncSource.API,
            api_base_url=server.base_url,
            api_token_url=server.token_url,
            api_client_id=CLIENT_ID,
            api_client_secret=credentials.encrypt(CLIENT_SECRET),
        )
        roster_import = services.roster_sync_run(sync_id=sync.pk)

    assert roster_import is not None and roster_import.status == RosterImportStatus.SUCCEEDED, roster_import.report
    annex.refresh_from_db()
    ada.refresh_from_db()
    assert (annex.roster_sourced_id, ada.roster_sourced_id) == ("sch2", "t1")
    assert User.objects.filter(email__iexact="ada.lovelace@north.example.org").count() == 1
    assert roster_import.report["counts"]["records entered by hand"] == {"matched": 2}


def test_people_of_the_roster_in_another_school_are_left_alone(world, tmp_path):
    """A by-hand person the roster does not list yet is neither matched nor deactivated by a bulk file."""
    nia = services.staff_create_by_hand(
        acting_user=world.director, district=world.district, email="nia@north.example.org", first_name="Nia",
        last_name="Okafor", school=world.school,
    )  # fmt: skip
    staff_at(world.school)

    report = import_roster(world.district, write_bundle(tmp_path), today=TODAY)

    nia.refresh_from_db()
    assert report.ok and nia.is_active and nia.roster_sourced_id is None and nia.awaiting_roster
