"""Keyboard only (issue 26, WCAG 2.1.1 and 2.4.3): signing in, filing a disclosure, recording a family's
answer and correcting a form with errors, with Tab, Space, Enter and typing, checking where focus lands.
`tab_to` presses Tab until the control has focus, so a control out of the tab order fails the journey."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from consent.models import ConsentRecord, ConsentScope, ScopeKind
from consent.services import consent_scopes_set_up
from disclosures.models import Disclosure, DisclosureState
from tests.browser.test_journeys import open_this_years_disclosures
from tests.factories import TEST_PASSWORD, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
MAX_TABS = 80


def tab_to(page: Page, target: Locator) -> None:
    """Tab forward until `target` has focus; fails if it never does (out of the keyboard's reach)."""
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        if page.evaluate("(element) => document.activeElement === element", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def focused(page: Page) -> str:
    return str(
        page.evaluate("() => document.activeElement ? document.activeElement.id || document.activeElement.tagName : ''")
    )


def sign_in_by_keyboard(page: Page, user: User) -> None:
    User.objects.filter(pk=user.pk).update(password=make_password(TEST_PASSWORD))
    page.goto("/account/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to content"
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused(page) == "id_password"
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/account/login/"))


@pytest.fixture
def keyboard_page(visitors) -> Page:
    return visitors.open()


def test_it_signs_in_with_the_keyboard_only(world, keyboard_page):
    sign_in_by_keyboard(keyboard_page, world.staff)

    expect(keyboard_page.get_by_role("heading", level=1)).to_contain_text("Hello")


def test_it_files_a_disclosure_with_the_keyboard_only(world, keyboard_page):
    cycle = open_this_years_disclosures(world)
    page = keyboard_page
    sign_in_by_keyboard(page, world.staff)
    page.goto("/disclosures/")

    tab_to(page, page.get_by_role("button", name="Start my disclosure"))
    page.keyboard.press("Enter")
    none = page.get_by_label("I take part in no such networks")
    tab_to(page, none)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Save").first)
    page.keyboard.press("Enter")
    signature = page.get_by_label("Type your full name to sign")
    tab_to(page, signature)
    page.keyboard.type(world.staff.full_name)
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Your disclosure is signed and filed.")
    filed = Disclosure.objects.get(cycle=cycle, employee=world.staff)
    assert (filed.state, filed.takes_part_in_none) == (DisclosureState.SUBMITTED, True)


def test_it_records_a_familys_answer_with_the_keyboard_only(world, keyboard_page):
    consent_scopes_set_up(acting_user=None, district=world.district)
    scope = ConsentScope.objects.get(district=world.district, kind=ScopeKind.SOCIAL_MEDIA)
    maya = StudentFactory(school=world.school, first_name="Maya", last_name="Okafor")
    page = keyboard_page
    sign_in_by_keyboard(page, world.clerk)
    page.goto(f"/consent/students/{maya.pk}/")

    consent_for = page.get_by_label("Consent for")
    tab_to(page, consent_for)
    consent_for.select_option(label=scope.name)  # a native select: the keyboard's own list
    refused = page.get_by_role("group", name="Decision").get_by_label("Refused (opted out)")
    tab_to(page, page.get_by_role("group", name="Decision").get_by_role("radio").first)
    while not page.evaluate("(e) => document.activeElement === e", refused.element_handle()):
        page.keyboard.press("ArrowDown")  # arrows move through a radio group, and choose
    tab_to(page, page.get_by_label("Parent or guardian"))
    page.keyboard.type("Ada Okafor")
    tab_to(page, page.get_by_role("button", name="Record"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Recorded for Maya Okafor")
    assert ConsentRecord.objects.get(student=maya, scope=scope).decision == "refused"


def test_it_moves_focus_to_the_errors_of_a_refused_form(world, keyboard_page):
    page = keyboard_page
    sign_in_by_keyboard(page, world.director)
    page.goto(f"/districts/{world.district.slug}/edit/")

    name = page.get_by_label("Name")
    tab_to(page, name)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Please correct the following")
    assert focused(page) == "error-summary"
    assert page.title().startswith("Error:")
    page.keyboard.press("Tab")  # the summary's first link leads to the field
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#id_name$"))


def test_it_shows_where_the_focus_is_at_both_widths(world, visitors, screenshots):
    """Screenshots of the palette and the focus outline on a menu link and on a field, at 1280 and 390
    pixels (var/screenshots/browser/focus/), and the outline's colour against the bar and the page."""
    shots = screenshots("focus")
    page = visitors.open()
    sign_in_by_keyboard(page, world.director)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/districts/{world.district.slug}/edit/")
        if width == 1280:
            tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard"))
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none"
            shots.take(page, f"menu-link-focused-{width}")
        tab_to(page, page.get_by_label("Name"))
        assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
        shots.take(page, f"field-focused-{width}")
