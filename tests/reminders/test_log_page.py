"""The director's reminder page: who may see it, what it shows, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reminders import services
from reminders.models import Reminder, ReminderStatus
from tests.factories import UserFactory

# The page's own reads, plus the questions every kind asks to count tomorrow's reminders.
QUERIES = 34


def url(world) -> str:
    return reverse("reminders:log", args=[world.district.slug])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("superintendent", 200),
        ("communications", 403),
        ("principal", 403),
        ("clerk", 403),
        ("staff", 403),
        ("foreign_director", 404),
    ],
)
def test_only_the_districts_leadership_sees_its_reminders(client, world, persona, status):
    client.force_login(world.persona(persona))
    assert client.get(url(world)).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    assert client.get(url(world)).url.startswith(reverse("account_login"))


def test_it_shows_what_was_sent_to_whom_and_what_comes_next(client, world, cycle, today):
    services.reminders_plan(today=today)
    sent = Reminder.objects.get(recipient=world.staff)
    Reminder.objects.filter(pk=sent.pk).update(status=ReminderStatus.SENT, sent_at=sent.planned_at)
    client.force_login(world.director)
    page = client.get(url(world)).content.decode()
    assert "Disclosure due soon" in page and world.staff.email in page
    assert "New on Nov 22" in page
    assert "Not planned yet" in page
    filtered = client.get(url(world), {"status": "sent"}).content.decode()
    assert world.staff.email in filtered and world.principal.email not in filtered


def test_it_says_who_asked_for_a_reminder_sent_at_once(client, world, cycle, today):
    services.disclosure_remind_many(acting_user=world.director, cycle=cycle, people=[world.staff])
    services.reminders_plan(today=today)
    client.force_login(world.director)

    page = client.get(url(world)).content.decode()

    assert page.count("Asked for by") == 1
    assert f"Asked for by {world.director.full_name}" in page


def test_bad_filters_show_everything_instead_of_failing(client, world):
    client.force_login(world.director)
    response = client.get(url(world), {"kind": "nope\x00", "status": "x" * 500, "page": "99999999999999999999"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_costs_the_same_queries_whatever_the_log_holds(
    client, world, cycle, today, count, django_assert_num_queries
):
    for _ in range(count):
        Reminder.objects.create(
            district=world.district,
            kind="disclosure_due_soon",
            object_key=f"disclosure_cycle:{cycle.pk}",
            recipient=UserFactory(district=world.district),
            period="2026",
            path="/disclosures/",
            requested_by=UserFactory(district=world.district),  # read with its row, not one query each
        )
    client.force_login(world.director)
    client.get(url(world))  # warm the session and caches
    with django_assert_num_queries(QUERIES):
        assert client.get(url(world)).status_code == 200


def test_it_says_when_the_planner_last_ran(client, world, cycle, today):
    services.reminders_plan_due()
    client.force_login(world.director)
    page = client.get(url(world)).content.decode()
    assert "The planner last ran Nov 21, 2026 at 9:00 AM; it plans each day from 6:00 AM." in page
