"""Choosing an administrator by name with the keyboard only (issue 28): type part of the name, ArrowDown
to the suggestion, Enter to choose it, and send the form. The box is a WAI-ARIA combobox: the list opens
(aria-expanded), the highlighted option is its aria-activedescendant, the count is read out."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from registry.models import AccountAdministrator
from tests.browser.axe import violations
from tests.browser.test_keyboard_journeys import sign_in_by_keyboard, tab_to
from tests.factories import AdministratorFactory, SocialAccountFactory, staff_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_it_designates_an_administrator_with_the_keyboard_only(world, visitors, screenshots):
    account = SocialAccountFactory(school=world.school, display_name="North High Band")
    AdministratorFactory(account=account, user=world.staff, role="primary")
    colleague = staff_at(world.school, email="ysolde.moreau@north.example.org", first_name="Ysolde", last_name="Moreau")
    staff_at(world.school, email="ysoldine.quinn@north.example.org", first_name="Ysoldine", last_name="Quinn")
    shots = screenshots("picker")
    page = visitors.open()
    sign_in_by_keyboard(page, world.director)
    page.goto(f"/registry/accounts/{account.pk}/")

    box = page.get_by_role("combobox", name="Designate a staff member")
    tab_to(page, box)
    page.keyboard.type("ysol")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#id_email-status")).to_contain_text("2 suggestions")
    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    expect(first).to_contain_text("Moreau")
    shots.take(page, "suggestions")
    page.keyboard.press("Enter")
    expect(box).to_have_value(colleague.email)
    expect(box).to_have_attribute("aria-expanded", "false")
    tab_to(page, page.get_by_role("button", name="Designate"))
    page.keyboard.press("Enter")

    expect(page.get_by_text(f"{colleague.full_name} is now an administrator.")).to_be_visible()
    shots.take(page, "designated")
    assert AccountAdministrator.objects.filter(account=account, user=colleague, ends_on__isnull=True).exists()


def test_escape_closes_the_suggestions_and_keeps_what_was_typed(world, visitors):
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff, role="primary")
    staff_at(world.school, email="ysolde.moreau@north.example.org", first_name="Ysolde", last_name="Moreau")
    page = visitors.open()
    sign_in_by_keyboard(page, world.director)
    page.goto(f"/registry/accounts/{account.pk}/")

    box = page.get_by_role("combobox", name="Designate a staff member")
    tab_to(page, box)
    page.keyboard.type("moreau")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    page.keyboard.press("Escape")

    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_value("moreau")


def test_the_open_suggestions_and_the_picker_page_meet_wcag_2_1_aa(world, chromium, live_server, settings):
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff, role="primary")
    staff_at(world.school, email="ysolde.moreau@north.example.org", first_name="Ysolde", last_name="Moreau")
    client = Client()
    client.force_login(world.director)
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True, locale="en-US")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    found = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/registry/accounts/{account.pk}/")
        page.get_by_role("combobox", name="Designate a staff member").fill("ysol")
        page.get_by_role("combobox", name="Designate a staff member").press("ArrowDown")
        expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
        found += [f"suggestions at {width}px: {problem}" for problem in violations(page)]
        page.goto(reverse("pick_staff") + "?q=moreau")
        found += [f"picker page at {width}px: {problem}" for problem in violations(page)]
    context.close()

    assert found == []
