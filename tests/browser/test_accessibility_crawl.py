"""Every page meets WCAG 2.1 AA, checked in a real browser on every run (issue 26).

The list of pages is the permission matrix's (tests/security/test_permission_matrix.py), which is built
from the URL configuration and fails when a page has no row: so a new page is crawled as soon as it
exists. Each page is opened as a persona the matrix allows (a visitor for the public pages, login and
password reset), at 1280 and at 390 pixels, and axe-core's WCAG 2.0/2.1 A and AA rules run on it. The
error pages are checked too. A page the crawl cannot reach fails the run unless it is not a page a
person reads (a download, an action that only redirects), which is listed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page

from tests.browser.axe import violations
from tests.factories import UserFactory
from tests.security.matrix_world import MatrixWorld, build_matrix_world
from tests.security.test_permission_matrix import (
    ALLOWED,
    ANONYMOUS,
    GET,
    PAGES,
    PERSONAS,
    UNAUTHORIZED,
    base_name,
    url_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOW = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)
WIDTHS = (1280, 390)
# The variants tried first: the persona's own things, which every role that may see the page sees.
PREFERRED = ("page", "own_school", "own_district", "self", "own", "any", "district_level", "other_school")


@dataclass
class Shim:
    world: MatrixWorld


def reachable(matrix: Shim, sessions: dict[str, str]) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Each GET row: (persona, address) of an HTML page the matrix lets someone read, or why not."""
    crawl: dict[str, tuple[str, str]] = {}
    not_pages: dict[str, str] = {}
    client = Client()
    for row, spec in PAGES.items():
        if spec.method != GET:
            continue
        why = "no persona may read it"
        for variant in sorted(spec.variants, key=lambda v: PREFERRED.index(v) if v in PREFERRED else 99):
            outcomes = spec.variants[variant]
            readable = (ALLOWED, UNAUTHORIZED)  # a failed provider sign-in shows a page too
            personas = [ANONYMOUS] if outcomes.get(ANONYMOUS) in readable else []
            personas += [p for p in PERSONAS if p.startswith("north.") and outcomes[p.split(".")[1]] in readable]
            for persona in personas:
                url = url_of(matrix, row, spec, variant, persona)  # type: ignore[arg-type]
                client.cookies.clear()
                if persona != ANONYMOUS:
                    client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
                response = client.get(url)
                kind = response.get("Content-Type", "")
                # 401: the page a failed sign-in with a provider shows, a page people read.
                if response.status_code in (200, 401) and kind.startswith("text/html"):
                    crawl[row] = (persona, url)
                    break
                why = f"answers {response.status_code} {kind.split(';')[0]}".strip()
            if row in crawl:
                break
        else:
            not_pages[row] = why
    return crawl, not_pages


# Rows that are not pages a person reads, and why (a new page missing from the crawl fails the run).
NOT_PAGES = {
    "healthz": "text for load balancers",
    "evidence:download": "a ZIP file",
    "set_language": "an action that redirects",
    "account_logout": "asks to confirm, then redirects",
    "account_confirm_login_code": "signing in by a mailed code is off",
    "socialaccount_signup": "nobody signs up: it sends to the sign-in page",
    "openid_connect_login": "the district's own provider, not set up here (the sign-in tests run it)",
    "openid_connect_callback": "the district's own provider, not set up here (the sign-in tests run it)",
}
# Pages whose full state needs a query as well: crawled with it too (a bulk action's preview of every
# row matching the list, not only the page that says nothing was chosen).
WITH_QUERY = {
    "registry:account_bulk [approve] GET": "?all=1",
    "registry:account_bulk [recertify] GET": "?all=1",
    "membership_bulk_end [preview]": "?all=1&role=clerk",
    "consent:no_answer_record [preview]": "?all=1",
    "reminders:disclosure_remind [preview]": "?all=1",
}
# Pages only the installation's operators (superusers) read: crawled as one.
OPERATOR_PAGES = ("onboarding:district_list", "onboarding:district_new")


def test_every_page_meets_wcag_2_1_aa_at_two_widths(chromium: Browser, live_server, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "crawl"}}
    with time_machine.travel(NOW, tick=True):
        world = build_matrix_world()
        sessions = {}
        for persona, user in world.users.items():
            client = Client()
            client.force_login(user)
            sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        crawl, not_pages = reachable(Shim(world), sessions)
        operator = UserFactory(email="operator@cooperative.example.org", district=None, is_superuser=True)
        client = Client()
        client.force_login(operator)
        sessions["operator"] = client.cookies[settings.SESSION_COOKIE_NAME].value
        for row in OPERATOR_PAGES:
            crawl[row] = ("operator", reverse(row))
        visits = set(crawl.values())
        visits |= {(crawl[row][0], crawl[row][1] + query) for row, query in WITH_QUERY.items() if row in crawl}
        # Every role's home page: each is a different page (a principal's is their school's dashboard).
        visits |= {(persona, reverse("home")) for persona in sessions if persona.startswith("north.")}

        unexplained = {
            row: why
            for row, why in not_pages.items()
            if base_name(row) not in NOT_PAGES
            and row not in OPERATOR_PAGES
            and not why.startswith(("answers 301", "answers 302", "answers 200 text/csv"))
        }
        assert unexplained == {}, f"pages the crawl cannot reach: {unexplained}"

        found: list[str] = []
        contexts = {}
        for persona, url in sorted(visits):
            if persona not in contexts:
                context = chromium.new_context(base_url=live_server.url, bypass_csp=True, locale="en-US")
                if persona != ANONYMOUS:
                    context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": sessions[persona], "url": live_server.url}]
                    )
                contexts[persona] = context.new_page()
            page: Page = contexts[persona]
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url)
                for problem in violations(page):
                    found.append(f"{url} at {width}px as {persona}: {problem}")

        # The error pages: a missing page, and the two drawn without the request (500, 503).
        errors = contexts.get(ANONYMOUS) or chromium.new_context(base_url=live_server.url, bypass_csp=True).new_page()
        errors.goto("/no-such-page/")
        found += [f"404 page: {problem}" for problem in violations(errors)]
        for template in ("500.html", "503.html"):
            errors.set_content(render_to_string(template).replace('href="/static/', f'href="{live_server.url}/static/'))
            found += [f"{template}: {problem}" for problem in violations(errors)]

    print(f"\nAccessibility crawl: {len(crawl)} pages at {len(WIDTHS)} widths; not pages: {sorted(not_pages)}")
    assert found == [], "\n".join(found)


def test_it_fails_a_page_whose_contrast_is_broken_on_purpose(chromium: Browser, live_server):
    page = chromium.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    page.goto("/accessibility/")
    assert violations(page) == []

    page.add_style_tag(content="p { color: #c8c8c8 !important; }")

    assert "color-contrast" in {problem["rule"] for problem in violations(page)}
