"""Every print view has a visible Print button: a real button that prints through a static script
(the content security policy forbids inline scripts), and that is itself left off the paper."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import StudentFactory, guardian_of

pytestmark = pytest.mark.django_db

BUTTON = re.compile(r'<button class="btn [^"]*\bno-print\b[^"]*" type="button" data-print>.*?Print</button>', re.S)


def print_views(client, world) -> dict[str, str]:
    """Each print view as the person who prints it reads it."""
    pages = {}
    client.force_login(world.staff)
    pages["do-not-post list"] = client.get(reverse("consent:school_print", args=[world.school.pk])).content.decode()
    client.force_login(world.clerk)
    guardian_of(StudentFactory(school=world.school), email="")
    pages["family letters"] = client.post(
        reverse("consent:family_links"), {"school": world.school.pk, "school_year": "2026", "action": "letters"}
    ).content.decode()
    client.force_login(world.principal)
    pages["school dashboard"] = client.get(reverse("dashboards:school", args=[world.school.pk])).content.decode()
    client.force_login(world.director)
    pages["district dashboard"] = client.get(
        reverse("dashboards:district", args=[world.district.slug])
    ).content.decode()
    return pages


def test_each_print_view_has_the_print_button_and_its_script(client, world, scopes):
    for name, page in print_views(client, world).items():
        assert len(BUTTON.findall(page)) == 1, name
        assert "/static/js/print.js" in page, name
        assert "<script>" not in page, name  # nothing inline: the button works under the CSP


def test_the_script_prints_and_the_button_stays_off_the_paper():
    static = Path(settings.BASE_DIR) / "static"
    script = (static / "js" / "print.js").read_text()
    assert "[data-print]" in script and "window.print()" in script
    css = (static / "css" / "app.css").read_text()
    assert re.search(r"@media print \{[^}]*\.no-print \{ display: none !important; \}", css)
