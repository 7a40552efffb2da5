"""Sending: one conditional update decides who sends, a lease recovers from a dead worker, a refusing
mail server leaves the reminder waiting, and the e-mail says who, why and where to act."""

from __future__ import annotations

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from reminders import emails, services
from reminders.models import PlanRun, Reminder, ReminderStatus
from tests.reminders.mail_server import refuse_from_now_on, refuse_once


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


def test_of_two_senders_given_the_same_batch_each_reminder_goes_to_one(world, cycle, today):
    services.reminders_plan(today=today)
    ids = list(Reminder.objects.values_list("pk", flat=True))
    _first, taken_first = services.reminders_claim(ids)
    _second, taken_second = services.reminders_claim(ids)
    assert len(taken_first) == len(ids) == 7 and taken_second == []


def test_a_reminder_held_by_a_dead_sender_is_taken_again_after_its_lease(reminder, on, today, settings):
    services.reminder_claim(reminder.pk)  # the worker dies here
    assert reminder.pk not in services.reminders_take_for_queue()
    later = datetime.timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS + 1)
    with time_machine.travel(timezone.now() + later, tick=False):
        assert services.reminders_take_for_queue() == [reminder.pk]
        assert services.reminder_deliver(reminder.pk) is True
    assert len(mail.outbox) == 1


def test_a_queued_reminder_is_queued_again_only_when_the_queue_lost_it(reminder, settings):
    assert reminder.pk in services.reminders_take_for_queue()
    assert services.reminders_take_for_queue() == []  # on the queue: not queued twice
    later = datetime.timedelta(seconds=settings.REMINDER_QUEUE_LEASE_SECONDS + 1)
    with time_machine.travel(timezone.now() + later, tick=False):
        assert reminder.pk in services.reminders_take_for_queue()


def test_a_reminder_the_broker_did_not_take_is_queued_at_the_next_tick(reminder):
    assert reminder.pk in services.reminders_take_for_queue()
    services.reminders_release_from_queue([reminder.pk])
    assert services.reminders_take_for_queue() == [reminder.pk]


def test_a_refusing_mail_server_leaves_the_batch_waiting_for_the_retry(world, cycle, today, monkeypatch):
    services.reminders_plan(today=today)
    ids = sorted(Reminder.objects.values_list("pk", flat=True))
    refuse_from_now_on(monkeypatch, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    with pytest.raises(services.SendFailed) as failure:
        services.reminders_deliver(ids)
    assert failure.value.remaining == ids and failure.value.retry_in == 30
    refused, *untried = Reminder.objects.order_by("planned_at", "pk")
    assert (refused.status, refused.attempts) == (ReminderStatus.WAITING, 1)
    assert "Connection unexpectedly closed" in refused.last_error
    assert {(r.status, r.attempts) for r in untried} == {(ReminderStatus.WAITING, 0)}
    # Held until the retry, so the periodic dispatch does not queue them a second time meanwhile.
    assert services.reminders_take_for_queue() == []


def test_a_server_refusing_the_end_of_the_message_undoes_the_handover(reminder, monkeypatch):
    refuse_from_now_on(monkeypatch, smtplib.SMTPDataError(451, "Try again later"))
    with pytest.raises(services.SendFailed):
        services.reminder_deliver(reminder.pk)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at, reminder.attempts) == (ReminderStatus.WAITING, None, 1)


def test_it_gives_up_after_the_last_attempt(reminder, monkeypatch):
    Reminder.objects.filter(pk=reminder.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    refuse_from_now_on(monkeypatch, smtplib.SMTPDataError(554, "Rejected"))
    with pytest.raises(services.SendFailed) as failure:
        services.reminder_deliver(reminder.pk)
    assert failure.value.remaining == []
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.FAILED


def test_the_wait_between_attempts_doubles_up_to_half_an_hour():
    assert [services.retry_delay(n) for n in (1, 2, 3, 7, 8)] == [30, 60, 120, 1_800, 1_800]


def test_a_broken_template_fails_that_reminder_and_the_batch_goes_on(world, cycle, today, monkeypatch):
    services.reminders_plan(today=today)
    first, *rest = Reminder.objects.order_by("planned_at", "pk")
    real_render = emails.render

    def render(reminder, today=None, **options):
        if reminder.pk == first.pk:
            raise ValueError("a template is broken")
        return real_render(reminder, today, **options)

    monkeypatch.setattr(emails, "render", render)
    done = services.reminders_deliver([first.pk, *(r.pk for r in rest)])
    assert (done.sent, done.failed) == (len(rest), 1)
    assert Reminder.objects.get(pk=first.pk).last_error == "ValueError: a template is broken"


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
    assert PlanRun.objects.get(day=today).finished_at is not None  # the periodic task will not plan it again


def test_the_periodic_task_plans_the_day_once_and_sends_each_reminder(world, cycle, today):
    from reminders.tasks import plan_reminders

    assert plan_reminders.delay().get() == 7
    assert len(mail.outbox) == 7
    assert PlanRun.objects.get(day=today).added == 7
    assert plan_reminders.delay().get() == 0  # ten minutes later: planned already, nothing waiting
    assert len(mail.outbox) == 7


def test_nothing_is_planned_before_the_planning_hour(world, cycle, today, settings):
    settings.REMINDER_PLAN_HOUR = 10  # the test clock says 9 a.m. in Chicago
    assert services.reminders_plan_due() is None
    settings.REMINDER_PLAN_HOUR = 9
    assert services.reminders_plan_due().added == 7


def test_a_day_whose_planning_never_finished_is_planned_at_the_next_tick(world, cycle, today):
    PlanRun.objects.create(day=today)  # the planner died half-way
    assert services.reminders_plan_due().added == 7
    assert services.reminders_plan_due() is None


def test_what_the_server_refused_goes_out_at_a_tick_after_its_retry_time(world, cycle, today, monkeypatch):
    from reminders.tasks import plan_reminders

    refuse_once(monkeypatch)
    plan_reminders.delay()
    assert mail.outbox == []
    assert plan_reminders.delay().get() == 0  # still waiting for the retry time
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31), tick=False):
        assert plan_reminders.delay().get() == 7
    assert len(mail.outbox) == 7 and len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 7
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 7


def test_beat_runs_the_reminders_from_one_schedule_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["plan-and-queue-reminders"]
    assert entry["task"] == "reminders.tasks.plan_reminders"
    assert entry["schedule"].minute == set(range(0, 60, 10))


def test_plain_text_is_not_html_escaped(world, reminder):
    world.staff.first_name = "Seán O'Brien & Co"
    world.staff.save()
    services.reminder_deliver(reminder.pk)
    [message] = mail.outbox
    assert "Hello Seán O'Brien & Co," in message.body
    assert "O&#x27;Brien &amp; Co" in message.alternatives[0][0]


def test_with_the_broker_down_the_dispatcher_lets_go_of_what_it_could_not_queue(world, cycle, today, monkeypatch):
    from reminders import tasks

    services.reminders_plan(today=today)
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: False)
    assert tasks.dispatch() == 0
    assert set(Reminder.objects.values_list("status", "lease_until")) == {(ReminderStatus.WAITING, None)}
    assert mail.outbox == []


def test_a_slow_batch_keeps_its_reminders_until_it_has_sent_them(world, cycle, today, monkeypatch, settings):
    services.reminders_plan(today=today)
    ids = sorted(Reminder.objects.values_list("pk", flat=True))
    real_render = emails.render
    taken_by_others: list[int] = []
    with time_machine.travel(timezone.now(), tick=False) as clock:

        def slow_render(reminder, today=None, **options):
            clock.shift(datetime.timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS * 2 // 3))
            taken_by_others.extend(services.reminders_take_for_queue())
            return real_render(reminder, today, **options)

        monkeypatch.setattr(emails, "render", slow_render)
        assert services.reminders_deliver(ids).sent == 7
    assert taken_by_others == []
    assert len(mail.outbox) == 7
