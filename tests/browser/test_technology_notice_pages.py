"""The families' technology notice in a real browser: its public page, in English and in Spanish, and
the director's page pass axe-core's WCAG 2.1 AA rules at 1280 and 390 pixels, and the public page has
no sideways scroll at 320 pixels. (The crawl of every page reaches them too, from the permission
matrix; this checks the Spanish page and a notice with changes since publication.)"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.axe import violations
from tests.factories import ToolFactory
from tools import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WIDTHS = (1280, 390)


@pytest.fixture
def published(world):
    """North's notice, published in November, with a provider added in December."""
    for name in ("Seesaw", "Google Classroom with a rather long name for a narrow phone screen"):
        ToolFactory(
            district=world.district,
            name=name,
            description=f"{name} for class work.",
            student_data_held="Names, classes and the work students post.",
            privacy_agreement_on_file=True,
            privacy_agreement_url=f"https://north.example.org/privacy/{name.lower().replace(' ', '-')}.pdf",
        )
    with time_machine.travel(datetime.datetime(2026, 11, 21, 15, tzinfo=datetime.UTC), tick=False):
        services.technology_notice_publish(acting_user=world.director, district=world.district, school_year=2026)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC), tick=False):
        ToolFactory(district=world.district, name="Kahoot", student_data_held="Nicknames and answers.")
    return reverse("tools:public_technology_notice", args=[world.district.slug]) + "?year=2026"


@pytest.mark.parametrize(
    ("locale", "heading"), [("en-US", "Technology providers"), ("es-MX", "Proveedores de tecnología")]
)
def test_the_public_notice_is_accessible_in_both_languages(visitors, published, locale, heading):
    context = visitors.browser.new_context(base_url=visitors.base_url, locale=locale, bypass_csp=True)
    visitors.contexts.append(context)
    page = context.new_page()
    page.goto(published)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert violations(page) == [], f"at {width}px"
    page.set_viewport_size({"width": 320, "height": 700})
    scroll, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "window.innerWidth).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))"
    )
    assert scroll <= window, wide


def test_the_directors_page_is_accessible(visitors, world, published, settings):
    client = Client()
    client.force_login(world.director)
    context = visitors.browser.new_context(base_url=visitors.base_url, locale="en-US", bypass_csp=True)
    visitors.contexts.append(context)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": visitors.base_url,
            }
        ]
    )
    page = context.new_page()
    page.goto(reverse("tools:technology_notice"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Technology notice to families")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert violations(page) == [], f"at {width}px"
