"""One definition of what a school and a district owe: the dashboard's list, the principal's weekly
digest and the home page show the same items for the same school and day, and the district dashboard
the same as its director's home page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from compliance import readers
from compliance import selectors as compliance_selectors
from reminders import services
from reminders.kinds import digest_items
from reminders.models import Reminder
from tests.conftest import TODAY
from tests.dashboards.conftest import populate, set_up_district

pytestmark = pytest.mark.django_db
MONDAY = TODAY.replace(day=23)  # the digest goes out on Mondays


@pytest.fixture
def north(world, on):
    with on(MONDAY):
        set_up_district(world)
        populate(world, world.school, 2)
        yield


def test_the_dashboard_the_digest_and_the_home_page_list_the_same_items(client, world, north, on, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(world.principal)
    with on(MONDAY):
        dashboard = client.get(reverse("dashboards:school", args=[world.school.pk])).context["dashboard"].steps
        home = client.get(reverse("home")).context["dashboard"].steps
        digest = digest_items(world.school, world.principal, MONDAY)["items"]
        services.reminders_plan(today=MONDAY)
        [reminder] = Reminder.objects.filter(kind="principal_digest", recipient=world.principal)
        services.reminder_deliver(reminder.pk)
    assert dashboard, "the school owes something, or the test proves nothing"
    assert dashboard == home == digest
    [message] = [m for m in mail.outbox if m.to == [world.principal.email]]
    for item in dashboard:  # the e-mail says each, with its link
        assert item.title in message.body and item.url in message.body


def test_the_district_dashboard_and_the_directors_home_list_the_same_items(client, world, north, on):
    client.force_login(world.director)
    with on(MONDAY):
        dashboard = client.get(reverse("dashboards:district", args=[world.district.slug])).context["steps"]
        sections = client.get(reverse("home")).context["sections"]
    [district] = [s for s in sections if s.key == f"district:{world.district.pk}"]
    assert dashboard and district.items == dashboard


def test_a_school_seen_by_its_principal_and_by_the_director_differs_only_in_the_steps_they_can_take(world, north, on):
    def school_list(user):
        return compliance_selectors.school_list(world.school, readers.at_school(user, world.school), MONDAY)

    with on(MONDAY):
        principal, director = school_list(world.principal), school_list(world.director)
    assert principal.measures == director.measures
    only_director = {item.key for item in director.items} - {item.key for item in principal.items}
    assert only_director == {"accounts_awaiting_approval"}  # the director decides account requests
