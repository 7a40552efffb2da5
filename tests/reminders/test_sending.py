"""Sending: one conditional update decides who sends, a lease recovers from a dead worker, a refusing
mail server leaves the reminder waiting, and the e-mail says who, why and where to act."""

from __future__ import annotations

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command

from reminders import services
from reminders.models import Reminder, ReminderStatus


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://registry.example.org"


@pytest.fixture
def reminder(world, cycle, today):
    services.reminders_plan(today=today)
    return Reminder.objects.get(recipient=world.staff, kind="disclosure_due_soon")


def test_it_sends_a_reminder_once_and_records_it(reminder):
    assert services.reminder_deliver(reminder.pk) is True
    assert services.reminder_deliver(reminder.pk) is False
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.sent_at is not None) == (ReminderStatus.SENT, 1, True)
    assert len(mail.outbox) == 1


def test_of_two_senders_only_one_takes_a_reminder(reminder):
    assert services.reminder_claim(reminder.pk) is not None
    assert services.reminder_claim(reminder.pk) is None


def test_a_reminder_held_by_a_dead_sender_is_taken_again_after_its_lease(reminder, on, today):
    services.reminder_claim(reminder.pk)  # the worker dies here
    assert reminder.pk not in services.waiting_ids()
    with on(today + datetime.timedelta(days=1)):
        assert reminder.pk in services.waiting_ids()
        assert services.reminder_deliver(reminder.pk) is True
    assert len(mail.outbox) == 1


def test_a_refusing_mail_server_leaves_the_reminder_waiting(reminder, monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(services.SendFailed):
        services.reminder_deliver(reminder.pk)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.WAITING, 1)
    assert "Connection unexpectedly closed" in reminder.last_error
    assert services.waiting_ids() == sorted(Reminder.objects.values_list("pk", flat=True))


def test_it_gives_up_after_the_last_attempt(reminder, monkeypatch):
    Reminder.objects.filter(pk=reminder.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        lambda self, messages: (_ for _ in ()).throw(smtplib.SMTPDataError(554, "Rejected")),
    )
    with pytest.raises(services.SendFailed):
        services.reminder_deliver(reminder.pk)
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.FAILED


def test_it_sends_nothing_to_someone_who_has_left(world, reminder):
    world.staff.is_active = False
    world.staff.save()
    assert services.reminder_deliver(reminder.pk) is False
    assert mail.outbox == []
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.FAILED


def test_the_email_names_the_district_the_page_to_act_on_and_why(world, reminder):
    services.reminder_deliver(reminder.pk)
    [message] = mail.outbox
    html, kind = message.alternatives[0]
    assert message.subject == "Your annual social media disclosure is due soon"
    assert message.to == [world.staff.email]
    assert "https://registry.example.org/disclosures/" in message.body
    assert "North District" in message.body and "You receive this because" in message.body
    assert kind == "text/html" and 'href="https://registry.example.org/disclosures/"' in html
    assert message.extra_headers["Message-ID"] == f"<reminder-{reminder.pk}@social-media-registry>"


def test_the_command_plans_and_sends_in_process(world, cycle, today, capsys):
    call_command("send_reminders")
    assert len(mail.outbox) == 7
    call_command("send_reminders")
    assert len(mail.outbox) == 7  # nothing twice
    assert "0 reminders planned, 0 sent" in capsys.readouterr().out


def test_the_daily_task_plans_and_hands_each_reminder_to_a_send_task(world, cycle, today):
    from reminders.tasks import plan_reminders

    assert plan_reminders.delay().get() == 7
    assert len(mail.outbox) == 7
    assert plan_reminders.delay().get() == 0  # run again the same day: nothing waiting, nothing sent
    assert len(mail.outbox) == 7


def test_beat_runs_the_planner_daily_from_one_schedule(settings):
    [entry] = settings.CELERY_BEAT_SCHEDULE.values()
    assert entry["task"] == "reminders.tasks.plan_reminders"
    assert entry["schedule"].hour == {settings.REMINDER_PLAN_HOUR}


def test_plain_text_is_not_html_escaped(world, reminder):
    world.staff.first_name = "Seán O'Brien & Co"
    world.staff.save()
    services.reminder_deliver(reminder.pk)
    [message] = mail.outbox
    assert "Hello Seán O'Brien & Co," in message.body
    assert "O&#x27;Brien &amp; Co" in message.alternatives[0][0]
