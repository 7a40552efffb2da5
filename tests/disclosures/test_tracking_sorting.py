"""The disclosure tracking list sorted by name, due date and status, keeping its filters and its
counted figures, at the same number of queries sorted or not."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import DisclosureRecipient
from disclosures import services
from tests.disclosures.filing import add_network, sign
from tests.disclosures.test_tracking_pages import add_staff, listed, tracking
from tests.factories import staff_at
from tests.pages import fetch, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(world, cycle):
    """Adamsfield (filed), Bakerston (a new hire, due later), Cruzeiro (not started).

    Names no persona can draw from Faker, so the list holds each once."""
    adams = staff_at(world.school, last_name="Adamsfield", started_on=datetime.date(2019, 8, 1))
    staff_at(world.school, last_name="Bakerston", started_on=datetime.date(2026, 11, 1))
    staff_at(world.other_school, last_name="Cruzeiro", started_on=datetime.date(2018, 8, 1))
    draft = services.disclosure_start(acting_user=adams, cycle=cycle)
    add_network(adams, draft)
    sign(adams, draft)


def ours(response) -> list[str]:
    return [name for name in listed(response) if name in {"Adamsfield", "Bakerston", "Cruzeiro"}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Adamsfield", "Bakerston", "Cruzeiro"]),
        ("?sort=-name", ["Cruzeiro", "Bakerston", "Adamsfield"]),
        ("?sort=-due", ["Bakerston", "Adamsfield", "Cruzeiro"]),  # the new hire is due last
        ("?sort=status", ["Bakerston", "Cruzeiro", "Adamsfield"]),  # not started (by name), then the filed one
        ("?sort=nonsense", ["Adamsfield", "Bakerston", "Cruzeiro"]),
    ],
)
def test_it_sorts_the_people_tracked(client, world, cycle, three, query, expected):
    client.force_login(world.director)

    assert ours(client.get(tracking(cycle) + query)) == expected


def test_the_sort_stays_with_the_filters_and_the_pages(client, world, cycle):
    for n in range(105):
        staff_at(world.school, last_name=f"Staff{n:03d}")
    client.force_login(world.director)

    response = client.get(tracking(cycle) + f"?school={world.school.pk}&sort=-name")

    assert f'href="?school={world.school.pk}&amp;sort=-name&amp;page=2"' in response.text
    assert '<input type="hidden" name="sort" value="-name">' in response.text


def test_a_principal_sorting_still_sees_only_their_school(client, world, cycle, three):
    world.district.disclosure_recipient = DisclosureRecipient.SCHOOL
    world.district.save()
    client.force_login(world.principal)

    assert "Cruzeiro" not in ours(client.get(tracking(cycle) + "?sort=-status"))


@pytest.mark.parametrize("sort", ["-due", "status", "-name"])
def test_a_sorted_page_costs_the_queries_of_the_plain_one_for_3_or_30_staff(
    client, world, cycle, sort, django_assert_num_queries
):
    client.force_login(world.director)
    add_staff(world, cycle, 3)
    plain = queries_for(client, tracking(cycle))
    filtered = queries_for(client, tracking(cycle) + f"?category=not_started&school={world.school.pk}&sort={sort}")

    add_staff(world, cycle, 27)

    with django_assert_num_queries(plain):
        fetch(client, tracking(cycle) + f"?sort={sort}")
    with django_assert_num_queries(filtered):
        fetch(client, tracking(cycle) + f"?category=not_started&school={world.school.pk}&sort={sort}")
