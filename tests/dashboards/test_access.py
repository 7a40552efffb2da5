"""What each role's dashboard shows of whom, and the home page each one gets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dashboards.conftest import populate, set_up_district

pytestmark = pytest.mark.django_db

# Which role gets which dashboard (200, 403 or 404) is the permission matrix's
# (tests/security/test_permission_matrix.py); these test what each one shows and the home page each role gets.


@pytest.fixture
def district(world, today):
    set_up_district(world)
    populate(world, world.school, 1)


def test_a_principal_never_sees_another_schools_students_in_the_figures(client, world, district):
    populate(world, world.other_school, 2, authorization=False)
    client.force_login(world.principal)
    response = client.get(reverse("home"))
    assert response.context["dashboard"].measures.students == 3  # North High's own three
    html = response.content.decode()
    assert "North Elementary" not in html


def test_leadership_home_lists_the_district_and_links_its_dashboard(client, world, district):
    client.force_login(world.director)
    response = client.get(reverse("home"))
    assert response.templates[0].name == "dashboards/home.html"
    [district_section] = [s for s in response.context["sections"] if s.key == f"district:{world.district.pk}"]
    assert district_section.link_url == reverse("dashboards:district", args=[world.district.slug])


@pytest.mark.parametrize("persona", ["clerk", "staff", "communications"])
def test_other_roles_get_their_own_list_and_no_dashboard(client, world, district, persona):
    client.force_login(world.persona(persona))
    response = client.get(reverse("home"))
    assert response.templates[0].name == "dashboards/home.html"
    assert all("dashboard" not in section.link_url for section in response.context["sections"])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("director", "district"), ("principal", "school"), ("clerk", None), ("staff", None)],
)
def test_the_navigation_links_each_role_to_its_dashboard(client, world, district, persona, expected):
    client.force_login(world.persona(persona))
    context = client.get(reverse("staff_detail", args=[world.persona(persona).pk])).context
    if expected == "district":
        assert context["dashboard_url"] == reverse("dashboards:district", args=[world.district.slug])
    elif expected == "school":
        assert context["dashboard_url"] == reverse("dashboards:school", args=[world.school.pk])
    else:
        assert "dashboard_url" not in context


def test_the_health_check_answers_without_signing_in(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
