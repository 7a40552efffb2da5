"""Choosing a person or a school by typing part of a name (issue 28): the picker pages answer only with
what the user may see, best match first, in a fixed number of queries."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import MembershipFactory, SchoolFactory, StudentFactory, UserFactory, staff_at

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def options(client, name: str, query: str) -> str:
    response = client.get(reverse(name), {"q": query}, **HTMX)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def ysoldes(world):
    """Two people called Ysolde in North (one in each school), one in South, one who has left."""
    here = staff_at(world.school, email="anne.moreau@north.example.org", first_name="Ysolde", last_name="Moreau")
    there = staff_at(world.other_school, email="a.quinn@north.example.org", first_name="Ysoldine", last_name="Quinn")
    staff_at(world.foreign_school, email="anne.south@south.example.org", first_name="Ysolde", last_name="Southgate")
    UserFactory(district=world.district, email="anne.gone@north.example.org", first_name="Ysolde", is_active=False)
    return here, there


def test_it_finds_staff_by_part_of_the_name_or_e_mail_and_shows_who_they_are(client, world, ysoldes):
    client.force_login(world.director)

    by_name = options(client, "pick_staff", "ysol")
    by_email = options(client, "pick_staff", "quinn@north")

    assert 'data-value="anne.moreau@north.example.org"' in by_name
    assert 'data-value="a.quinn@north.example.org"' in by_name
    assert "Staff member, North Elementary" in by_name  # enough to tell two Annes apart
    assert 'role="option"' in by_name and "2 suggestions" in by_name
    assert 'data-value="a.quinn@north.example.org"' in by_email and "Moreau" not in by_email


def test_it_puts_names_that_start_with_what_was_typed_first(client, world, ysoldes):
    UserFactory(district=world.district, email="joanne@north.example.org", first_name="Joysolde", last_name="Aardvark")
    client.force_login(world.director)

    found = options(client, "pick_staff", "ysolde")

    assert found.index("anne.moreau@") < found.index("joanne@")


def test_it_never_offers_another_district_nor_someone_who_has_left(client, world, ysoldes):
    client.force_login(world.director)

    found = options(client, "pick_staff", "ysolde")

    assert "south.example.org" not in found and "anne.gone" not in found


def test_a_principal_finds_the_staff_of_their_school_only(client, world, ysoldes):
    client.force_login(world.principal)

    found = options(client, "pick_staff", "ysol")

    assert "anne.moreau@" in found and "a.quinn@" not in found


def test_a_staff_member_finds_nobody_but_themselves(client, world, ysoldes):
    client.force_login(world.staff)

    assert "anne.moreau@" not in options(client, "pick_staff", "ysol")
    assert world.staff.email in options(client, "pick_staff", world.staff.last_name)


def test_one_letter_asks_for_another(client, world, ysoldes):
    client.force_login(world.director)

    found = options(client, "pick_staff", "a")

    assert 'role="option"' not in found and "at least two letters" in found


def test_without_javascript_the_picker_is_a_page_of_its_own(client, world, ysoldes):
    client.force_login(world.director)

    response = client.get(reverse("pick_staff"), {"q": "moreau"})

    assert "<html" in response.text and "anne.moreau@north.example.org" in response.text
    assert 'role="option"' not in response.text  # a plain list, not a listbox without its box
    assert "no-store" in response["Cache-Control"]


def test_the_staff_picker_costs_the_same_queries_however_many_match(client, world, django_assert_num_queries):
    client.force_login(world.director)
    options(client, "pick_staff", "zed")  # the session and the roles, read once
    for n in range(3):
        staff_at(world.school, first_name="Zed", last_name=f"Zimmer{n}")
    with django_assert_num_queries(4) as few:
        options(client, "pick_staff", "zed")
    for n in range(12):
        staff_at(world.other_school, Role.PRINCIPAL, first_name="Zed", last_name=f"Zorn{n}")

    with django_assert_num_queries(len(few.captured_queries)):
        found = options(client, "pick_staff", "zed")

    assert found.count('role="option"') == 10  # the best ten


def test_students_are_found_by_name_or_id_where_the_user_may_see_students(client, world):
    StudentFactory(school=world.school, first_name="Maya", last_name="Lindqvist", sis_id="700123")
    StudentFactory(school=world.other_school, first_name="Mayra", last_name="Lind", sis_id="700124")
    StudentFactory(school=world.foreign_school, first_name="Maya", last_name="Lindgren", sis_id="700125")
    client.force_login(world.director)

    assert "Lindqvist" in options(client, "pick_students", "lind")
    assert "Lind</span>" in options(client, "pick_students", "lind")
    assert "Lindgren" not in options(client, "pick_students", "lind")
    assert "Lindqvist" in options(client, "pick_students", "700123")

    client.force_login(world.clerk)  # a clerk: their own school's students
    assert "Lindqvist" in options(client, "pick_students", "maya")
    assert "Mayra" not in options(client, "pick_students", "may")


def test_a_staff_member_may_not_look_students_up(client, world):
    client.force_login(world.staff)

    assert client.get(reverse("pick_students"), {"q": "maya"}, **HTMX).status_code == 403


def test_the_student_picker_costs_the_same_queries_however_many_match(client, world, django_assert_num_queries):
    client.force_login(world.director)
    options(client, "pick_students", "noor")
    StudentFactory(school=world.school, first_name="Noor")
    with django_assert_num_queries(3) as few:
        options(client, "pick_students", "noor")
    StudentFactory.create_batch(15, school=world.other_school, first_name="Noor")

    with django_assert_num_queries(len(few.captured_queries)):
        assert options(client, "pick_students", "noor").count('role="option"') == 10


def test_schools_are_found_by_part_of_their_name_in_the_users_reach(client, world):
    SchoolFactory(district=world.district, name="Riverside Middle", code="0451")
    SchoolFactory(district=world.other_district, name="Riverside South")
    client.force_login(world.director)

    found = options(client, "pick_schools", "river")

    assert "Riverside Middle" in found and "0451" in found and "Riverside South" not in found
    client.force_login(world.principal)
    assert "Riverside Middle" not in options(client, "pick_schools", "river")
    assert "North High" in options(client, "pick_schools", "north hi")  # "hi": the start of a word


def test_the_school_picker_costs_the_same_queries_however_many_match(client, world, django_assert_num_queries):
    client.force_login(world.superintendent)
    options(client, "pick_schools", "lake")
    SchoolFactory(district=world.district, name="Lake One")
    with django_assert_num_queries(3) as few:
        options(client, "pick_schools", "lake")
    for n in range(14):
        SchoolFactory(district=world.district, name=f"Lakeview {n}")
    MembershipFactory(user=world.superintendent, role=Role.STAFF, school=world.other_school)

    with django_assert_num_queries(len(few.captured_queries)):
        assert options(client, "pick_schools", "lake").count('role="option"') == 10
