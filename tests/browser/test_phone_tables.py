"""Long tables on a phone: below 576 pixels each row stacks, every value under its column's name, the key
column (the directory's address, what an account needs) first and on the screen, never off to the side.
The pages pass axe at 390 pixels and do not scroll sideways at 320."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.browser.axe import violations
from tests.browser.conftest import TIMEOUT_MS
from tests.factories import SocialAccountFactory, staff_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}


def phone(visitors, base_url: str) -> Page:
    """A page at a phone's width; bypass_csp only so that axe can be injected."""
    context = visitors.browser.new_context(base_url=base_url, viewport=PHONE, locale="en-US", bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    visitors.contexts.append(context)
    return context.new_page()


def on_screen(page: Page, cell: Locator) -> None:
    """The cell is visible and wholly inside the window, left to right."""
    expect(cell).to_be_visible()
    box = cell.bounding_box()
    assert box is not None
    window = page.evaluate("() => window.innerWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= window, (box, window)


def no_sideways_scroll(page: Page) -> None:
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        scroll, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= window, f"{page.url}: {scroll} pixels wide in a {width}-pixel window"


def test_the_directorys_address_column_is_on_a_phones_screen(world, visitors, live_server, screenshots):
    shots = screenshots("phone-tables")
    world.district.public_directory_enabled = True
    world.district.save()
    for n in range(30):
        SocialAccountFactory(
            school=world.school,
            display_name=f"North High Robotics Club and Friends {n}",
            handle=f"@northhigh.robotics.and.engineering.club.{n}",
        )

    page = phone(visitors, live_server.url)
    page.goto(f"/registry/directory/{world.district.slug}/")

    rows = page.locator("table.table-stack tbody tr")
    expect(rows).to_have_count(30)
    last = rows.nth(29)
    last.scroll_into_view_if_needed()
    address = last.locator("td[data-label='Address']")
    on_screen(page, address)
    expect(address).to_contain_text(re.compile(r"@northhigh\.robotics\.and\.engineering\.club\.\d+"))
    # The key column comes first in the stacked row: above the account's name.
    name = last.locator("td[data-label='Name']")
    assert address.bounding_box()["y"] < name.bounding_box()["y"]  # type: ignore[index]
    shots.take(page, "directory-390")
    assert violations(page) == []
    no_sideways_scroll(page)


def test_the_dashboards_needs_column_is_on_a_phones_screen(world, visitors, live_server, screenshots):
    shots = screenshots("phone-tables-dashboard")
    today = timezone.localdate()
    for n in range(12):
        SocialAccountFactory(
            school=world.school,
            display_name=f"North High Team Page {n}",
            launched_on=today,
            next_review_on=today - datetime.timedelta(days=3),  # overdue, and short of administrators
        )
    principal = visitors.sign_in(world.principal)
    principal.set_viewport_size(PHONE)
    principal.goto(f"/dashboards/schools/{world.school.pk}/")

    needs = principal.locator("td[data-label='Needs']")
    expect(needs.first).to_be_visible()
    assert needs.count() >= 10
    last = needs.nth(needs.count() - 1)
    last.scroll_into_view_if_needed()
    on_screen(principal, last)
    expect(last).to_contain_text("Short of administrators")
    shots.take(principal, "school-dashboard-390")
    no_sideways_scroll(principal)


def test_a_long_staff_list_keeps_every_name_on_screen(world, visitors, screenshots):
    shots = screenshots("phone-tables-staff")
    for n in range(25):
        staff_at(world.school, first_name="Maximiliana", last_name=f"Featherstonehaugh-Worthington {n}")
    director = visitors.sign_in(world.director)
    director.set_viewport_size(PHONE)
    director.goto("/staff/?q=Featherstonehaugh")

    names = director.locator("table.table-stack tbody tr td[data-label='Name']")
    expect(names).to_have_count(25)
    for index in (0, 24):
        names.nth(index).scroll_into_view_if_needed()
        on_screen(director, names.nth(index))
    shots.take(director, "staff-list-390")
    no_sideways_scroll(director)
