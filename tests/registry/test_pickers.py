"""The official account's people and program chosen by name (issue 28): the program picker answers with
what the user may see, and the form, without JavaScript, resolves what was typed or says which field it
could not."""

import pytest
from django.urls import reverse

from accounts.models import ProgramKind
from registry.models import SocialAccount
from tests.factories import (
    AdministratorFactory,
    ProgramFactory,
    SchoolFactory,
    SocialAccountFactory,
    platform,
    staff_at,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def options(client, query: str) -> str:
    response = client.get(reverse("registry:pick_program"), {"q": query}, **HTMX)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def programs(world):
    ProgramFactory(school=world.school, name="Robotics Club")
    ProgramFactory(school=world.other_school, name="Robotics Team", kind=ProgramKind.TEAM)
    ProgramFactory(school=world.school, name="Robotics 101", kind=ProgramKind.CLASS)  # a class has no account
    ProgramFactory(school=world.foreign_school, name="Robotics South")


def test_the_program_picker_shows_each_program_with_its_school(client, world, programs):
    client.force_login(world.director)

    found = options(client, "robot")

    assert 'data-value="Robotics Club — North High"' in found
    assert 'data-value="Robotics Team — North Elementary"' in found
    assert "Robotics 101" not in found and "Robotics South" not in found


def test_a_school_role_is_offered_the_programs_of_its_school(client, world, programs):
    client.force_login(world.staff)

    found = options(client, "robot")

    assert "Robotics Club" in found and "Robotics Team" not in found


def test_the_program_picker_costs_the_same_queries_however_many_match(
    client, world, programs, django_assert_num_queries
):
    client.force_login(world.director)
    options(client, "robot")
    with django_assert_num_queries(3) as few:
        options(client, "robot")
    ProgramFactory.create_batch(12, school=world.other_school, name="Robotics Squad")

    with django_assert_num_queries(len(few.captured_queries)):
        assert options(client, "robot").count('role="option"') == 10


def request_data(world, **changes):
    data = {
        "platform": platform("instagram").pk,
        "handle": "@north.robotics",
        "display_name": "North Robotics",
        "owner_kind": "program",
        "program": "Robotics Club — North High",
        "purpose": "Results.",
        "audience": "families",
        "primary_administrator": world.staff.email,
    }
    return {**data, **changes}


def test_without_javascript_a_typed_e_mail_and_program_are_resolved(client, world, programs):
    colleague = staff_at(world.other_school, email="ysolde.moreau@north.example.org", first_name="Ysolde")
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_request"),
        request_data(world, backup_administrator="  YSOLDE.Moreau@north.example.org "),
    )

    assert response.status_code == 302
    account = SocialAccount.objects.get()
    assert account.program.name == "Robotics Club"
    assert set(account.administrators.values_list("user__email", flat=True)) == {world.staff.email, colleague.email}


def test_a_whole_name_typed_by_hand_is_resolved_when_only_one_person_has_it(client, world, programs):
    staff_at(world.other_school, email="y.moreau@north.example.org", first_name="Ysolde", last_name="Moreau")
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_request"), request_data(world, backup_administrator="ysolde moreau")
    )

    assert response.status_code == 302
    assert SocialAccount.objects.get().administrators.filter(user__email="y.moreau@north.example.org").exists()


def test_a_name_two_people_share_is_refused_naming_the_field(client, world, programs):
    staff_at(world.school, email="y.moreau@north.example.org", first_name="Ysolde", last_name="Moreau")
    staff_at(world.other_school, email="y.moreau2@north.example.org", first_name="Ysolde", last_name="Moreau")
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_request"), request_data(world, backup_administrator="Ysolde Moreau")
    )

    assert response.status_code == 200
    assert "Backup administrator: more than one matches “Ysolde Moreau”" in response.text
    assert not SocialAccount.objects.exists()


def test_someone_of_another_district_or_a_program_out_of_reach_is_not_found(client, world, programs):
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_request"),
        request_data(world, backup_administrator=world.foreign_director.email, program="Robotics South"),
    )

    assert response.status_code == 200
    assert "Backup administrator: no active staff member of the district" in response.text
    assert "Club, team or program: nothing you may choose matches “Robotics South”" in response.text
    assert not SocialAccount.objects.exists()


def test_the_administrator_box_is_a_combobox_that_asks_the_staff_picker(client, world):
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff, role="primary")
    client.force_login(world.director)

    page = client.get(reverse("registry:account_detail", args=[account.pk])).text

    assert 'role="combobox"' in page and 'aria-controls="id_email-options"' in page
    assert f'data-picker-url="{reverse("pick_staff")}"' in page and 'role="listbox"' in page


def test_a_school_is_chosen_by_name_or_by_name_and_code_when_two_share_the_name(client, world):
    world.school.code = "0101"
    world.school.save()
    SchoolFactory(district=world.district, name="North High", code="0202")
    client.force_login(world.staff)
    data = request_data(world, owner_kind="school", program="", school="North High")

    shared = client.post(reverse("registry:account_request"), data)
    picked = client.post(reverse("registry:account_request"), {**data, "school": "North High (0101)"})

    assert "School: more than one matches “North High”" in shared.text
    assert picked.status_code == 302
    assert SocialAccount.objects.get().school == world.school


def test_a_person_is_never_chosen_by_their_key(client, world, programs):
    colleague = staff_at(world.school, email="y.moreau@north.example.org", first_name="Ysolde", last_name="Moreau")
    client.force_login(world.staff)

    response = client.post(reverse("registry:account_request"), request_data(world, backup_administrator=colleague.pk))

    assert response.status_code == 200 and not SocialAccount.objects.exists()
