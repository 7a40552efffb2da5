"""The do-not-post and no-answer lists sorted by student and grade (and last year's answer), with
the chosen consent and search kept, the school's scope kept, at the same queries sorted or not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.consent.test_views import add_students
from tests.factories import StudentFactory
from tests.pages import fetch, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(world, scopes):
    """Three students of North High with no answer (under written consent: none may appear)."""
    return [
        StudentFactory(school=world.school, last_name="Avery", grade="11"),
        StudentFactory(school=world.school, last_name="Brook", grade="09"),
        StudentFactory(school=world.school, last_name="Cohen", grade="10"),
        StudentFactory(school=world.other_school, last_name="Aaron", grade="05"),
    ]


def names(response) -> list[str]:
    return [student.last_name for student in response.context["page"]]


@pytest.mark.parametrize("page", ["consent:school_do_not_post", "consent:no_answer"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Avery", "Brook", "Cohen"]),
        ("?sort=-name", ["Cohen", "Brook", "Avery"]),
        ("?sort=grade", ["Brook", "Cohen", "Avery"]),
        ("?sort=-grade&q=Brook", ["Brook"]),
        ("?sort=sis_id", ["Avery", "Brook", "Cohen"]),  # not a column of these lists
    ],
)
def test_it_sorts_the_schools_students(client, world, pupils, page, query, expected):
    client.force_login(world.principal)

    assert names(client.get(reverse(page, args=[world.school.pk]) + query)) == expected


def test_the_sort_stays_with_the_consent_chosen_and_the_pages(client, world, scopes, pupils):
    add_students(world.school, 120)
    client.force_login(world.principal)
    scope = scopes["social_media"].pk

    response = client.get(reverse("consent:school_do_not_post", args=[world.school.pk]) + f"?scope={scope}&sort=-grade")

    assert f'href="?scope={scope}&amp;sort=-grade&amp;page=2"' in response.text
    assert '<input type="hidden" name="sort" value="-grade">' in response.text
    assert 'aria-sort="descending"' in response.text


@pytest.mark.parametrize("name", ["school", "no_answer"])
def test_a_sorted_list_costs_the_queries_of_the_plain_one_for_30_or_3000_students(
    client, world, scopes, name, django_assert_num_queries
):
    url = reverse(
        {"school": "consent:school_do_not_post", "no_answer": "consent:no_answer"}[name], args=[world.school.pk]
    )
    client.force_login(world.principal)
    add_students(world.school, 30, scope=scopes["social_media"])
    plain = queries_for(client, url)

    add_students(world.school, 2970, scope=scopes["social_media"])

    for sort in ("-name", "grade"):
        with django_assert_num_queries(plain):
            fetch(client, url + f"?sort={sort}")
