"""The staff, students' and schools' lists sort by their visible columns (?sort=…), keep the sort
with the filters and the page, ignore a column they do not know, and cost the same queries sorted
or not, whatever their size."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import SchoolFactory, StudentFactory, staff_at

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def people(world):
    """Three teachers of North High whose names, addresses and sign-ins sort differently."""
    signed_in = timezone.now() - datetime.timedelta(days=3)
    return [
        staff_at(
            world.school,
            email="zed@north.example.org",
            first_name="Ann",
            last_name="Aaberg",
            last_login=None,
            employee_id="E9",
        ),
        staff_at(
            world.school,
            email="amy@north.example.org",
            first_name="Bo",
            last_name="Zyx",
            last_login=signed_in,
            employee_id="E3",
        ),
        staff_at(
            world.school,
            email="max@north.example.org",
            first_name="Cy",
            last_name="Mmm",
            last_login=signed_in + datetime.timedelta(days=1),
            employee_id="E1",
        ),
    ]


def listed(response, names: set[str]) -> list[str]:
    return [member.last_name for member in response.context["page"] if member.last_name in names]


NAMES = {"Aaberg", "Zyx", "Mmm"}


def test_it_sorts_the_staff_by_name_email_and_sign_in_both_ways(client, world, people):
    client.force_login(world.director)
    url = reverse("staff_list")

    assert listed(client.get(url), NAMES) == ["Aaberg", "Mmm", "Zyx"]
    assert listed(client.get(url + "?sort=-name"), NAMES) == ["Zyx", "Mmm", "Aaberg"]
    assert listed(client.get(url + "?sort=email"), NAMES) == ["Zyx", "Mmm", "Aaberg"]
    assert listed(client.get(url + "?sort=employee_id"), NAMES) == ["Mmm", "Zyx", "Aaberg"]
    # Never signed in first, then the earliest; reversed, the latest first and "never" last.
    assert listed(client.get(url + "?sort=signed_in"), NAMES) == ["Aaberg", "Zyx", "Mmm"]
    assert listed(client.get(url + "?sort=-signed_in"), NAMES) == ["Mmm", "Zyx", "Aaberg"]


def test_it_ignores_a_sort_it_does_not_know(client, world, people):
    client.force_login(world.director)
    url = reverse("staff_list")

    for nonsense in ("password", "-is_superuser", "last_name", "name)--"):
        response = client.get(url + f"?sort={nonsense}")
        assert response.status_code == 200
        assert listed(response, NAMES) == ["Aaberg", "Mmm", "Zyx"]


def test_the_sorted_header_says_so_and_the_links_keep_sort_filter_and_page(client, world, people):
    for n in range(60):
        staff_at(world.school, last_name=f"Extra{n:02d}")
    client.force_login(world.director)

    response = client.get(reverse("staff_list") + f"?q=&school={world.school.pk}&sort=-email&page=1")

    html = response.text
    assert 'aria-sort="descending"' in html and "(sorted descending)" in html
    # The header reverses the sort and goes back to the first page; the filters stay.
    assert f'href="?q=&amp;school={world.school.pk}&amp;sort=email"' in html
    # The next page keeps the sort and the filters.
    assert f'href="?q=&amp;school={world.school.pk}&amp;sort=-email&amp;page=2"' in html
    # Filtering again keeps the sort.
    assert '<input type="hidden" name="sort" value="-email">' in html


def test_a_filtered_sorted_list_still_shows_only_the_readers_own(client, world, people):
    foreign = staff_at(world.foreign_school, last_name="Aaaforeign", email="a@south.example.org")
    client.force_login(world.principal)

    response = client.get(reverse("staff_list") + "?sort=name&q=a")

    names = [member.last_name for member in response.context["page"]]
    assert foreign.last_name not in names
    assert "Aaberg" in names


def test_it_sorts_the_students_by_name_id_grade_and_school(client, world):
    StudentFactory(school=world.school, last_name="Able", sis_id="300", grade="11")
    StudentFactory(school=world.other_school, last_name="Baker", sis_id="100", grade="09")
    StudentFactory(school=world.school, last_name="Cole", sis_id="200", grade="10")
    client.force_login(world.director)
    url = reverse("student_list")

    def names(query: str) -> list[str]:
        return [student.last_name for student in client.get(url + query).context["page"]]

    assert names("") == ["Able", "Baker", "Cole"]
    assert names("?sort=sis_id") == ["Baker", "Cole", "Able"]
    assert names("?sort=-grade") == ["Able", "Cole", "Baker"]
    assert names("?sort=school") == ["Baker", "Able", "Cole"]  # North Elementary, then North High
    assert names(f"?sort=-sis_id&school={world.school.pk}") == ["Able", "Cole"]


def test_it_sorts_the_schools_by_name_and_their_counts(client, world):
    big = SchoolFactory(district=world.district, name="Aspen Middle")
    StudentFactory.create_batch(3, school=big)
    StudentFactory(school=world.school)
    client.force_login(world.director)
    url = reverse("school_list")

    def names(query: str) -> list[str]:
        return [school.name for school in client.get(url + query).context["page"]]

    assert names("") == ["Aspen Middle", "North Elementary", "North High"]
    assert names("?sort=-name") == ["North High", "North Elementary", "Aspen Middle"]
    assert names("?sort=-students") == ["Aspen Middle", "North High", "North Elementary"]
    assert names("?sort=students&q=north") == ["North Elementary", "North High"]


@pytest.mark.parametrize(
    ("page", "sorts"),
    [
        ("staff_list", ["-name", "email", "-signed_in", "status", "employee_id"]),
        ("student_list", ["-name", "sis_id", "grade", "-school"]),
        ("school_list", ["-name", "district", "-students", "staff", "principal"]),
    ],
)
def test_a_sorted_or_filtered_list_costs_the_same_queries_at_any_size(
    client, world, django_assert_num_queries, page, sorts
):
    client.force_login(world.director)
    url = reverse(page)
    # A name with an "a" in it: the filtered page has rows at both sizes (an empty page costs fewer).
    StudentFactory(school=world.school, first_name="Ana", last_name="Garcia")
    plain = queries_for(client, url)
    filtered = queries_for(client, url + f"?q=a&sort={sorts[0]}")
    for _ in range(15):
        school = SchoolFactory(district=world.district)
        staff_at(school)
        StudentFactory.create_batch(4, school=school)

    for sort in sorts:
        with django_assert_num_queries(plain):
            client.get(url + f"?sort={sort}")
    with django_assert_num_queries(filtered):
        client.get(url + f"?q=a&sort={sorts[0]}")
