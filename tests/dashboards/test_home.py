"""Everyone's home page is their list, and it costs the same number of queries for a small district
as for one several times larger (the dashboards' figures counted afresh each time)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from consent.models import ConsentImport, ConsentImportStatus
from tests.dashboards.conftest import populate, set_up_district
from tests.factories import AdministratorFactory, SchoolFactory, SocialAccountFactory, ToolRequestFactory, staff_at

pytestmark = pytest.mark.django_db
PERSONAS = ["staff", "principal", "director", "superintendent", "clerk", "communications"]


def grow(world, size: int) -> None:
    """`size` of everything at both of North's schools, a new school per step, and one of each thing
    a role's own list reads (an account administered, a request waiting, a checked consent file)."""
    for school in (world.school, world.other_school):
        populate(world, school, size, authorization=False)
    for _ in range(size):
        staff_at(SchoolFactory(district=world.district), Role.PRINCIPAL)
        AdministratorFactory(account=SocialAccountFactory(school=world.school), user=world.staff)
        ToolRequestFactory(requested_by=world.staff)
        checked = ConsentImportStatus.PREVIEWED
        ConsentImport.objects.create(district=world.district, uploaded_by=world.clerk, file_name="f", status=checked)


def home_queries(client) -> int:
    cache.clear()  # count the dashboards' figures too, not a copy kept from the last request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_home_page_costs_the_same_queries_at_two_sizes(client, world, today, persona):
    set_up_district(world)
    grow(world, 1)
    client.force_login(world.persona(persona))
    client.get(reverse("home"))  # the session and the site's settings, read once
    small = home_queries(client)
    grow(world, 4)
    assert home_queries(client) == small


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_home_page_lists_something_for_its_role(client, world, today, persona):
    set_up_district(world)
    grow(world, 1)
    client.force_login(world.persona(persona))
    response = client.get(reverse("home"))
    if persona == "principal":
        assert response.context["dashboard"].steps  # the school's list, on its dashboard
    else:
        assert any(item.to_do for section in response.context["sections"] for item in section.items)
    assert "no-store" in response["Cache-Control"]
