"""Who sees which dashboard: one table of personas and pages, and the home page each one gets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dashboards.conftest import populate, set_up_district

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404

PAGES = {
    "own school": lambda w: reverse("dashboards:school", args=[w.school.pk]),
    "own school CSV": lambda w: reverse("dashboards:school_export", args=[w.school.pk, "consent"]),
    "other school": lambda w: reverse("dashboards:school", args=[w.other_school.pk]),
    "foreign school": lambda w: reverse("dashboards:school", args=[w.foreign_school.pk]),
    "district": lambda w: reverse("dashboards:district", args=[w.district.slug]),
    "district CSV": lambda w: reverse("dashboards:district_export", args=[w.district.slug]),
    "foreign district": lambda w: reverse("dashboards:district", args=[w.other_district.slug]),
}

# "Own school" is North High, where every persona of North works.
EXPECTED = {
    #                    own school, CSV,   other school, foreign school, district, CSV,     foreign district
    "director":         (OK,        OK,        OK,        NOT_FOUND, OK,        OK,        NOT_FOUND),
    "superintendent":   (OK,        OK,        OK,        NOT_FOUND, OK,        OK,        NOT_FOUND),
    "communications":   (FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "principal":        (OK,        OK,        NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "clerk":            (FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "staff":            (FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "other_principal":  (NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "foreign_director": (NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, OK),
    "foreign_principal": (NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,       NOT_FOUND, NOT_FOUND, FORBIDDEN),
    None:               (LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN,     LOGIN),
}  # fmt: skip


@pytest.fixture
def district(world, today):
    set_up_district(world)
    populate(world, world.school, 1)


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_role_sees_only_the_dashboards_it_may(client, world, district, persona):
    if persona:
        client.force_login(world.persona(persona))
    found = {name: client.get(url(world)).status_code for name, url in PAGES.items()}
    assert found == dict(zip(PAGES, EXPECTED[persona], strict=True))


def test_a_principal_never_sees_another_schools_students_in_the_figures(client, world, district):
    populate(world, world.other_school, 2, authorization=False)
    client.force_login(world.principal)
    response = client.get(reverse("home"))
    assert response.context["dashboard"].measures.students == 3  # North High's own three
    html = response.content.decode()
    assert "North Elementary" not in html


def test_leadership_home_offers_the_district_dashboard(client, world, district):
    client.force_login(world.director)
    response = client.get(reverse("home"))
    assert response.templates[0].name == "accounts/home.html"
    steps = response.context["steps"]
    first_not_urgent = next(step for step in steps if not step.urgent)
    assert first_not_urgent.url == reverse("dashboards:district", args=[world.district.slug])


@pytest.mark.parametrize("persona", ["clerk", "staff", "communications"])
def test_other_roles_keep_their_next_steps_home(client, world, district, persona):
    client.force_login(world.persona(persona))
    response = client.get(reverse("home"))
    assert response.templates[0].name == "accounts/home.html"
    assert all("dashboard" not in step.url for step in response.context["steps"])


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
