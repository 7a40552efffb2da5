"""The rollout walkthrough in CI, at a small size (issue 30): an empty installation, its operator
creates a district from a seed policy, and its technology director sets it up in the browser. Prints
the director's pages, clicks and entries and the system's own work; `make bench` runs it at size."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from accounts.models import District
from compliance import setup
from tests.browser.conftest import SCREENSHOTS
from tests.factories import TEST_PASSWORD, UserFactory
from tests.onboarding.rollout import DIRECTOR_EMAIL, Tally, director_sets_up, write_bundle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def operator_creates(page, tally: Tally) -> None:
    tally.watch(page)
    tally.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Districts"))
    tally.click(page.get_by_role("link", name="Create a district"))
    tally.fill(page.get_by_label("District name"), "Rollout Public Schools")
    tally.fill(page.get_by_label("Short name"), "rollout")
    tally.check(page.get_by_role("radio", name=re.compile("Policy 547")))
    tally.fill(page.get_by_label("Technology director's e-mail"), DIRECTOR_EMAIL)
    tally.click(page.get_by_role("button", name="Create the district and invite its director"))
    expect(page.get_by_role("heading", name="Setting up Rollout Public Schools")).to_be_visible()


def run_walkthrough(
    visitors, live_server, settings, tmp_path, *, schools: int, staff: int, students: int, patience_ms: int = 60_000
) -> dict:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    bundle = write_bundle(tmp_path, schools=schools, staff=staff, students=students)
    assert not District.objects.exists()  # an empty installation
    operator = UserFactory(email="operator@cooperative.example.org", district=None, is_superuser=True)
    operator.set_password(TEST_PASSWORD)
    operator.save()

    operating = Tally()
    operator_creates(visitors.sign_in(operator), operating)
    directing = Tally()
    started = time.perf_counter()
    page = visitors.open()
    try:
        director_sets_up(
            page, directing, bundle=bundle, slug="rollout", base_url=live_server.url, patience_ms=patience_ms
        )
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / "rollout-stopped-here.png"), full_page=True)
        raise
    wall = time.perf_counter() - started

    district = District.objects.get(slug="rollout")
    steps = {step.key: step for step in setup.setup_steps(district)}
    figures = {
        "size": f"{schools} schools, {staff} staff, {students} students and as many parents",
        "operator": f"{operating.pages} pages, {operating.clicks} clicks, {operating.entries} entries",
        "director": f"{directing.pages} pages, {directing.clicks} clicks, {directing.entries} entries",
        "system work (s)": {what: round(seconds, 1) for what, seconds in directing.system_seconds.items()},
        "director's walkthrough wall time (s)": round(wall, 1),
        "steps left": [key for key, step in steps.items() if not step.done],
    }
    print("\nRollout walkthrough:", figures)
    return figures


def test_an_empty_installation_is_set_up_by_its_operator_and_director(visitors, live_server, settings, tmp_path):
    figures = run_walkthrough(visitors, live_server, settings, tmp_path, schools=2, staff=12, students=40)

    # Testing sign-in needs the district's own Google or Microsoft: the only step a browser here cannot do.
    assert figures["steps left"] == ["sign_in"]
