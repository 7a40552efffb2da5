"""What being signed in costs before a view reads anything: the layout (navigation, the user and
their district) and the session. A page with the full layout and no data of its own answers in a
fixed, small number of queries for every role; a new query here is paid on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The user with their district (accounts.backends), and the user's roles and schools (the
# navigation's scope); the session comes from the cache (config/sessions.py).
LAYOUT_QUERIES = 2


@pytest.mark.parametrize("persona", ["staff", "clerk", "principal", "communications", "director", "superintendent"])
def test_a_signed_in_layout_page_costs_a_fixed_number_of_queries(client, world, persona, django_assert_num_queries):
    client.force_login(world.persona(persona))
    page = reverse("account_change_password")
    client.get(page)  # the first page of a session saves it (config/sessions.py)
    with django_assert_num_queries(LAYOUT_QUERIES):
        response = client.get(page)
    assert response.status_code == 200
    assert response.context["nav"]["district"] == world.district


def test_the_same_page_costs_the_same_for_a_district_with_many_schools(client, world, django_assert_num_queries):
    from tests.factories import SchoolFactory

    for n in range(20):
        SchoolFactory(district=world.district, name=f"More {n}")
    client.force_login(world.director)
    page = reverse("account_change_password")
    client.get(page)
    with django_assert_num_queries(LAYOUT_QUERIES):
        assert client.get(page).status_code == 200
