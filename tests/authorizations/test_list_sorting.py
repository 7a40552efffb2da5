"""The authorization list's sections each sorted by their own columns (?<section>_sort=…), the
others and their pages left as they were, at the same number of queries sorted or not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.authorizations.test_pages import ask, authorize, enrol, populate
from tests.factories import ProgramFactory, ToolFactory
from tests.pages import fetch, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(world):
    return ProgramFactory(school=world.school, name="Robotics Club")


@pytest.fixture
def instagram(world):
    return ToolFactory(district=world.district, name="Instagram", category="social_media", is_public_social_media=True)


@pytest.fixture
def waiting(world, club, instagram):
    chess = ProgramFactory(school=world.school, name="Chess Club")
    youtube = ToolFactory(district=world.district, name="YouTube", category="video")
    return [ask(world, instagram, club), ask(world, youtube, chess), ask(world, instagram, chess)]


def section(response, key: str) -> list[str]:
    pages = {k: page for k, _, _, page, _ in response.context["sections"]}
    return [f"{a.tool.name}/{a.program.name}" for a in pages[key]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Instagram/Robotics Club", "YouTube/Chess Club", "Instagram/Chess Club"]),  # oldest first
        ("?waiting_sort=tool", ["Instagram/Robotics Club", "Instagram/Chess Club", "YouTube/Chess Club"]),
        ("?waiting_sort=-tool", ["YouTube/Chess Club", "Instagram/Chess Club", "Instagram/Robotics Club"]),
        ("?waiting_sort=program", ["YouTube/Chess Club", "Instagram/Chess Club", "Instagram/Robotics Club"]),
        ("?waiting_sort=nonsense", ["Instagram/Robotics Club", "YouTube/Chess Club", "Instagram/Chess Club"]),
        ("?sort=-tool", ["Instagram/Robotics Club", "YouTube/Chess Club", "Instagram/Chess Club"]),  # not its name
    ],
)
def test_it_sorts_a_section_by_its_columns(client, world, waiting, query, expected):
    client.force_login(world.superintendent)

    assert section(client.get(reverse("authorizations:list") + query), "waiting") == expected


def test_a_sections_header_keeps_the_other_sections_pages_and_leaves_its_own(client, world, waiting):
    client.force_login(world.superintendent)

    response = client.get(reverse("authorizations:list") + "?in_force_page=2&waiting_page=1&waiting_sort=tool")

    assert 'href="?in_force_page=2&amp;waiting_sort=-tool#waiting"' in response.text
    assert 'aria-sort="ascending"' in response.text


def test_a_clerk_sorting_sees_only_their_schools_authorizations(client, world, waiting, instagram):
    elsewhere = ProgramFactory(school=world.other_school, name="Aaa Other Club")
    authorize(world, ask(world, instagram, elsewhere, by=world.other_principal))
    client.force_login(world.clerk)

    response = client.get(reverse("authorizations:list") + "?in_force_sort=program&waiting_sort=program")

    shown = {name for key, _, _, page, _ in response.context["sections"] for name in section(response, key)}
    assert not any("Aaa Other Club" in name for name in shown)


@pytest.mark.parametrize("query", ["?waiting_sort=-dates", "?in_force_sort=staff&closed_sort=-standing"])
def test_a_sorted_list_costs_the_same_queries_as_the_plain_one_for_3_and_30(
    client, world, today, club, instagram, query, django_assert_num_queries
):
    enrol(club, 3)
    populate(world, club, instagram, 1)
    client.force_login(world.superintendent)
    url = reverse("authorizations:list")
    plain = queries_for(client, url)

    populate(world, club, instagram, 9)

    with django_assert_num_queries(plain):
        fetch(client, url + query)
