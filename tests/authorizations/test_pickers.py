"""The class or program of an authorization request chosen by name (issue 28): the picker offers what
the person may ask for, and the request resolves the picked text."""

import pytest
from django.urls import reverse

from accounts.models import ProgramKind, ProgramMembership, ProgramRole
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def options(client, query: str) -> str:
    response = client.get(reverse("authorizations:pick_program"), {"q": query}, **HTMX)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def classes(world):
    ProgramFactory(school=world.school, name="Biology 9A", kind=ProgramKind.CLASS)
    ProgramFactory(school=world.other_school, name="Biology 5B", kind=ProgramKind.CLASS)
    ProgramFactory(school=world.foreign_school, name="Biology South", kind=ProgramKind.CLASS)


def test_a_district_role_is_offered_every_class_of_the_district_and_no_other(client, world, classes):
    client.force_login(world.superintendent)

    found = options(client, "biology")

    assert "Biology 9A — North High" in found and "Biology 5B — North Elementary" in found
    assert "Biology South" not in found


def test_a_teacher_is_offered_the_classes_of_their_school(client, world, classes):
    client.force_login(world.staff)

    found = options(client, "bio")

    assert "Biology 9A" in found and "Biology 5B" not in found


def test_the_request_page_picks_the_class_by_name(client, world, classes):
    client.force_login(world.staff)

    page = client.get(reverse("authorizations:new")).text

    assert f'data-picker-url="{reverse("authorizations:pick_program")}"' in page
    assert "Biology 5B" not in page  # no list of every program any more


def test_the_class_picker_costs_the_same_queries_however_many_match(client, world, classes, django_assert_num_queries):
    client.force_login(world.staff)
    options(client, "bio")
    with django_assert_num_queries(3) as few:
        options(client, "bio")
    programs = ProgramFactory.create_batch(12, school=world.other_school, name="Biology Lab", kind=ProgramKind.CLASS)
    for program in programs:  # they teach these too, in the other school
        ProgramMembership.objects.create(program=program, user=world.staff, role=ProgramRole.TEACHER)

    with django_assert_num_queries(len(few.captured_queries)):
        assert options(client, "bio").count('role="option"') == 10
