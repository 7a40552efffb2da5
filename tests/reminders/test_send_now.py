""" "Send now": a director or principal sends one staff member their reminder of what they owe, through
the reminder log, so a double click, a retried task or a second worker never sends it twice."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reminders import services, tasks
from reminders.models import Reminder, ReminderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://registry.example.org"


def logged(world, period: str) -> Reminder:
    return Reminder.objects.create(
        district=world.district, kind="disclosure_late", object_key="disclosure_cycle:1", recipient=world.staff,
        period=period, path="/",
    )  # fmt: skip


def sent_now(person) -> list[Reminder]:
    return list(Reminder.objects.filter(kind="sent_now", recipient=person))


def test_it_sends_what_they_owe_once_and_the_page_says_when(
    client, world, cycle, today, django_capture_on_commit_callbacks
):
    client.force_login(world.principal)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reminders:send_now", args=[world.staff.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("reminders:person", args=[world.staff.pk])
    (message,) = mail.outbox
    assert message.to == [world.staff.email]
    assert "disclosure" in message.body.lower() and "https://registry.example.org/" in message.body
    (reminder,) = sent_now(world.staff)
    assert reminder.status == ReminderStatus.SENT and reminder.sent_at is not None
    assert reminder.requested_by == world.principal
    page = client.get(response["Location"]).content.decode()
    assert "Their reminder was sent Nov. 21, 2026" in page


def test_a_double_click_sends_one(client, world, cycle, today, django_capture_on_commit_callbacks):
    client.force_login(world.director)
    url = reverse("reminders:send_now", args=[world.staff.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True) as second:
        response = client.post(url, follow=True)

    assert len(mail.outbox) == 1 and len(sent_now(world.staff)) == 1
    assert second == []  # nothing queued the second time
    assert "was already sent their reminder today" in response.content.decode()


def test_send_now_not_sending_twice_under_retries(world, cycle, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        reminder, claimed = services.reminder_send_now(acting_user=world.director, person=world.staff)
    assert claimed and len(queued) == 1

    # A worker claims the row and is still sending when the task is delivered again (a retry, a second worker).
    holder = services.reminder_claim(reminder.pk)
    assert holder is not None
    assert tasks.send_reminders.apply(args=([reminder.pk],)).get() == 0
    assert mail.outbox == []
    # That worker is gone; once its lease runs out the queued task sends it, and a redelivery after that does not.
    Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.WAITING, lease_until=None, lease_holder="")
    for callback in queued:
        callback()
    assert tasks.send_reminders.apply(args=([reminder.pk],)).get() == 0
    assert tasks.send_reminders.apply(args=([reminder.pk],)).get() == 0
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT


def test_pressing_again_the_same_day_claims_nothing_new(world, cycle, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, claimed_first = services.reminder_send_now(acting_user=world.director, person=world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        again, claimed_again = services.reminder_send_now(acting_user=world.principal, person=world.staff)

    assert (claimed_first, claimed_again, again.pk) == (True, False, first.pk)
    assert len(mail.outbox) == 1


def test_it_refuses_when_they_owe_nothing(client, world, today):
    """No disclosure cycle is open: the staff member owes nothing, so there is nothing to send."""
    with pytest.raises(ValidationError):
        services.reminder_send_now(acting_user=world.director, person=world.staff)
    client.force_login(world.director)
    response = client.post(reverse("reminders:send_now", args=[world.staff.pk]), follow=True)
    assert "owes nothing right now" in response.content.decode()
    assert sent_now(world.staff) == [] and mail.outbox == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("superintendent", 200),
        ("principal", 200),
        ("communications", 403),  # sees the staff member, may not send
        ("clerk", 404),
        ("other_principal", 404),  # another school's principal
        ("foreign_director", 404),  # another district
    ],
)
def test_only_leaders_of_the_person_may_see_and_send(client, world, cycle, today, persona, status):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("reminders:person", args=[world.staff.pk])).status_code == status
    response = client.post(reverse("reminders:send_now", args=[world.staff.pk]))
    assert response.status_code == (302 if status == 200 else status)
    assert len(sent_now(world.staff)) == (1 if status == 200 else 0)


def test_staff_may_not_send_their_own(client, world, cycle, today):
    client.force_login(world.staff)
    assert client.post(reverse("reminders:send_now", args=[world.staff.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.reminder_send_now(acting_user=world.staff, person=world.staff)


def test_the_staff_page_links_to_it_for_those_who_may(client, world, cycle, today):
    url = reverse("reminders:person", args=[world.staff.pk])
    client.force_login(world.principal)
    assert url in client.get(world.staff.get_absolute_url()).content.decode()
    client.force_login(world.communications)
    assert url not in client.get(world.staff.get_absolute_url()).content.decode()


def test_the_page_costs_the_same_with_many_reminders(client, world, cycle, today, django_assert_num_queries):
    client.force_login(world.director)
    url = reverse("reminders:person", args=[world.staff.pk])
    logged(world, "p0")

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    for n in range(1, 15):
        logged(world, f"p{n}")
    with django_assert_num_queries(len(captured)):
        assert client.get(url).status_code == 200
