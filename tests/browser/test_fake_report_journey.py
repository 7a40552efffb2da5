"""A parent reports a fake school page on a phone, in Spanish, without signing in; the director checks
it against the registry, confirms it is fake and records the report to the platform; the parent then
asks the public directory about the page and is told it is not official. Every page passes axe-core's
WCAG 2.1 AA rules, the family's at 390 and 320 pixels without sideways scroll."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from registry.models import FakeAccountReport
from tests.browser.axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FAKE = "https://www.instagram.com/north.high.official.fake/"


def _check_narrow(page: Page, shots, step: str) -> None:
    shots.take(page, step)
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 700})
    shots.take(page, f"{step}-320")
    assert violations(page) == []
    page.set_viewport_size(PHONE)


def _signed_in(visitors, live_server, user, settings) -> Page:
    """A desktop page signed in as `user`, open to axe's injected script (bypass_csp)."""
    client = Client()
    client.force_login(user)
    context = visitors.browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    visitors.contexts.append(context)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


def test_a_parent_reports_a_fake_page_and_the_director_follows_it_up(
    world, visitors, screenshots, live_server, settings
):
    shots = screenshots("fake-report")
    context = visitors.browser.new_context(base_url=live_server.url, viewport=PHONE, locale="es-MX", bypass_csp=True)
    visitors.contexts.append(context)
    phone = context.new_page()

    phone.goto(f"/registry/directory/{world.district.slug}/")
    phone.get_by_role("link", name="Denunciar una página que dice ser nuestra").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Denunciar una página que dice ser nuestra")
    _check_narrow(phone, shots, "form")

    # A wrong sum is refused in Spanish, at the top, with the focus there; nothing is recorded.
    phone.get_by_label("La dirección de la página").fill(FAKE)
    phone.get_by_label("Se hace pasar por el distrito, una escuela, un club o un equipo").check()
    phone.get_by_label(re.compile("cuánto es")).fill("100")
    phone.wait_for_timeout(3200)  # a person takes more than a few seconds
    phone.get_by_role("button", name="Enviar la denuncia").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text("Esa no es la respuesta correcta a la suma.")
    expect(summary).to_be_focused()
    assert not FakeAccountReport.objects.exists()
    _check_narrow(phone, shots, "wrong-sum")

    question = phone.get_by_label(re.compile("cuánto es"))
    label = phone.locator("label[for='id_answer']").inner_text()
    first, second = (int(n) for n in re.findall(r"\d+", label)[:2])
    question.fill(str(first + second))
    phone.get_by_role("button", name="Enviar la denuncia").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Gracias por su denuncia")
    _check_narrow(phone, shots, "thanks")
    report = FakeAccountReport.objects.get()
    assert report.handle_key == "north.high.official.fake"

    # The director finds it beside the registry, confirms it is fake and records the platform report.
    director = _signed_in(visitors, live_server, world.director, settings)
    director.goto("/registry/accounts/")
    director.get_by_role("link", name="Reported pages").click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Reported pages")
    assert violations(director) == []
    director.get_by_role("link", name="@north.high.official.fake").click()
    expect(director.get_by_text("No official account in the registry has this address.")).to_be_visible()
    assert violations(director) == []
    director.get_by_label("Confirmed fake: not an official page").check()
    director.get_by_role("button", name="Record").first.click()
    expect(director.get_by_role("alert").first).to_contain_text("Recorded.")
    director.get_by_label("The platform's reference (case or ticket number)").fill("IG-4242")
    director.get_by_role("button", name="Record the report").click()
    expect(director.get_by_text("IG-4242").first).to_be_visible()
    director.set_viewport_size({"width": 390, "height": 844})
    shots.take(director, "director-detail-390")
    assert violations(director) == []

    # The parent asks the directory about the page.
    phone.goto(f"/registry/directory/{world.district.slug}/")
    phone.get_by_label("Pegue la dirección de la página").fill("instagram.com/North.High.Official.Fake")
    phone.get_by_role("button", name="Comprobar").click()
    expect(phone.get_by_role("status")).to_contain_text("No es una página oficial.")
    _check_narrow(phone, shots, "not-official")
    assert visitors.errors == []
