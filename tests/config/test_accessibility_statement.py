"""The accessibility statement (issue 26): linked from every page's footer, it names the standard, how
it is tested, what is known not to meet it, and whom the reader's district wants told of a barrier."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_is_linked_from_the_footer_of_signed_in_and_public_pages(client, world):
    world.district.public_directory_enabled = True
    world.district.save()
    public = client.get(reverse("registry:public_directory", args=[world.district.slug])).content.decode()
    assert f'href="/accessibility/?district={world.district.slug}"' in public

    client.force_login(world.staff)
    assert 'href="/accessibility/"' in client.get(reverse("home")).content.decode()


def test_it_names_the_standard_and_how_it_is_tested(client):
    page = client.get(reverse("accessibility")).content.decode()

    assert "WCAG" in page and "2.1" in page and "level AA" in page
    assert "axe-core" in page and "keyboard" in page
    assert "Known limitations" in page


def test_it_names_the_districts_own_contact_first(client, world):
    world.district.mail_reply_to = "office@north.example.org"
    world.district.accessibility_contact = "access@north.example.org"
    world.district.save()
    client.force_login(world.staff)
    assert "access@north.example.org" in client.get(reverse("accessibility")).content.decode()

    world.district.accessibility_contact = ""
    world.district.save()
    assert "office@north.example.org" in client.get(reverse("accessibility")).content.decode()


def test_it_falls_back_to_the_technology_director_and_takes_the_district_from_the_address(client, world):
    page = client.get(reverse("accessibility"), {"district": world.district.slug}).content.decode()

    assert world.director.email in page


def test_it_reads_in_spanish_for_a_spanish_browser(client):
    page = client.get(reverse("accessibility"), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Declaración de accesibilidad" in page and "Limitaciones conocidas" in page
