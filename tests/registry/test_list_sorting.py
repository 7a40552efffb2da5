"""The official accounts' list sorted by its columns, with its filters, its page (read by ids) and
its counted figures kept, at the same number of queries sorted or not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AdministratorFactory, SchoolFactory, SocialAccountFactory
from tests.pages import queries_for
from tests.registry.test_views import add_accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(world):
    band = SocialAccountFactory(school=world.school, display_name="Band", next_review_on="2027-03-01")
    art = SocialAccountFactory(school=world.other_school, display_name="Art", next_review_on="2027-05-01")
    choir = SocialAccountFactory(
        school=world.school, display_name="Choir", next_review_on="2027-01-01", status="suspended"
    )
    AdministratorFactory.create_batch(2, account=band)
    AdministratorFactory(account=choir)
    SocialAccountFactory(school=world.foreign_school, display_name="Aaa South")
    return band, art, choir


def names(client, query: str = "") -> list[str]:
    return [a.display_name for a in client.get(reverse("registry:account_list") + query).context["page"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Art", "Band", "Choir"]),
        ("?sort=-name", ["Choir", "Band", "Art"]),
        ("?sort=represents", ["Art", "Band", "Choir"]),  # North Elementary, then North High
        ("?sort=-administrators", ["Band", "Choir", "Art"]),
        ("?sort=next_review", ["Choir", "Band", "Art"]),
        ("?sort=-status", ["Choir", "Band", "Art"]),  # suspended, then active (names reversed too)
        ("?sort=owner_staff__password", ["Art", "Band", "Choir"]),
        ("?sort=-name&status=active", ["Band", "Art"]),
    ],
)
def test_it_sorts_the_accounts_by_their_columns(client, world, accounts, query, expected):
    client.force_login(world.director)

    assert names(client, query) == expected


def test_a_principal_sorting_sees_only_their_schools_accounts(client, world, accounts):
    client.force_login(world.other_principal)

    assert "Aaa South" not in names(client, "?sort=name")
    assert "Aaa South" not in names(client, "?sort=-administrators&q=a")


def test_the_links_keep_sort_filter_and_page(client, world):
    add_accounts(world.district, [world.school], 60, world.director)
    client.force_login(world.director)

    response = client.get(reverse("registry:account_list") + "?status=active&sort=-next_review")

    assert 'href="?status=active&amp;sort=-next_review&amp;page=2"' in response.text
    assert 'href="?status=active&amp;sort=next_review"' in response.text and 'aria-sort="descending"' in response.text
    # The export is the list as shown.
    assert "export.csv?status=active&amp;sort=-next_review" in response.text


@pytest.mark.parametrize("sort", ["-name", "represents", "administrators", "-next_review", "status"])
def test_a_sorted_list_costs_the_same_queries_as_the_plain_one_at_any_size(
    client, world, django_assert_num_queries, sort
):
    client.force_login(world.director)
    url = reverse("registry:account_list")
    add_accounts(world.district, [world.school], 10, world.director)
    plain = queries_for(client, url)
    filtered = queries_for(client, url + f"?attention=any&sort={sort}")
    add_accounts(
        world.district, [world.school, *SchoolFactory.create_batch(3, district=world.district)], 200, world.director
    )

    with django_assert_num_queries(plain):
        client.get(url + f"?sort={sort}")
    with django_assert_num_queries(filtered):
        client.get(url + f"?attention=any&sort={sort}")
