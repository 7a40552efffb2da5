"""Headers every page carries: no browser feature the product does not use, and signed-in pages the
browser does not keep (the permission matrix checks no-store on every signed-in page of the site)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_login", "healthz"])
def test_every_page_refuses_the_camera_microphone_and_location(client, name):
    policy = client.get(reverse(name))["Permissions-Policy"]

    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= set(policy.split(", "))


@pytest.mark.django_db
def test_a_signed_in_page_is_not_kept_by_the_browser_and_a_public_one_may_be(client, world):
    public = client.get(reverse("registry:public_directory", args=[world.district.slug]))
    client.force_login(world.clerk)

    private = client.get(reverse("consent:home"))

    assert "no-store" not in public.get("Cache-Control", "")
    assert "no-store" in private["Cache-Control"] and "private" in private["Cache-Control"]
