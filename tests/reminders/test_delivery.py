"""Delivery over real SMTP (an aiosmtpd server on loopback, in this process): the reminder is recorded
as sent before the server is told to accept it, a sender that lost its reminder sends nothing, and a
refusing or unreachable server leaves reminders waiting."""

from __future__ import annotations

import contextlib
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.mail import EmailMessage
from django.db import connection

from reminders import delivery, services
from reminders.models import Reminder, ReminderStatus
from tests.smtp_sink import free_port, sink

# Serialized rollback, like every transactional test here: a plain flush re-creates content types
# under new ids, and the next test that restores the database would collide with them.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def smtp(settings):
    def authorization(controller) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5

    settings.SITE_URL = "https://registry.example.org"
    return authorization


@pytest.fixture
def planned(world, cycle, today):
    services.reminders_plan(today=today)
    return list(Reminder.objects.order_by("planned_at", "pk"))


def status_seen_by_another_connection(reminder_id: int) -> str:
    """What a second process would read, from a thread with its own database connection."""

    def read() -> str:
        try:
            return Reminder.objects.get(pk=reminder_id).status
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(read).result()


def test_the_log_says_sent_before_the_server_answers(smtp, planned):
    first = planned[0]
    seen: list[str] = []

    def on_data(content: bytes) -> None:
        # The server has the "." and holds its answer: the sender must not wait for it to commit.
        for _ in range(100):
            seen.append(status_seen_by_another_connection(first.pk))
            if seen[-1] == ReminderStatus.SENT:
                return
            time.sleep(0.02)

    with sink(on_data=on_data) as server:
        smtp(server)
        done = services.reminders_deliver([first.pk])
    assert seen[-1] == ReminderStatus.SENT
    assert done.sent == 1 and len(server.handler.accepted) == 1


def test_a_message_whose_end_was_not_written_is_neither_sent_nor_logged(smtp, planned, monkeypatch):
    first = planned[0]
    real_send = smtplib.SMTP.send

    def dies_before_the_end(self, data):
        if data == b".\r\n":
            raise OSError("the worker died here")
        return real_send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", dies_before_the_end)
    with sink() as server:
        smtp(server)
        with pytest.raises(services.SendFailed):
            services.reminders_deliver([first.pk])
    first.refresh_from_db()
    assert server.handler.accepted == []
    assert (first.status, first.sent_at) == (ReminderStatus.WAITING, None)


def test_a_sender_that_lost_its_reminder_sends_nothing_for_it(smtp, planned, monkeypatch):
    first, second = planned[:2]
    real_handover = services._handover

    def another_sender_took_it(reminder, holder):
        if reminder.pk == first.pk:  # the lease ran out mid-message and another sender took the row
            Reminder.objects.filter(pk=first.pk).update(lease_holder="another-sender")
        return real_handover(reminder, holder)

    monkeypatch.setattr(services, "_handover", another_sender_took_it)
    with sink() as server:
        smtp(server)
        done = services.reminders_deliver([first.pk, second.pk])
    accepted = [message["Message-ID"] for message in server.handler.messages()]
    assert accepted == [Reminder.objects.get(pk=second.pk).message_id]  # the batch went on
    assert done.sent == 1
    assert Reminder.objects.get(pk=first.pk).status == ReminderStatus.SENDING  # the other sender's


def held():
    return contextlib.nullcontext(True)


def test_a_message_arrives_as_written(smtp, settings):
    body = "Line one\n.\n..two dots\n.a dot first\r\nLast line without an end"
    message = EmailMessage("Dots and “quotes”", body, to=["Seán O'Brien <sean@example.org>"])
    with sink() as server:
        smtp(server)
        with delivery.Outbox() as outbox:
            assert outbox.send(message, handover=held) is True
    [received] = server.handler.messages()
    assert received.get_payload(decode=True).decode().replace("\r\n", "\n") == body.replace("\r\n", "\n") + "\n"
    assert received["To"] == message.message()["To"]


def test_after_a_refusal_the_same_connection_sends_the_next_message(smtp):
    with sink() as server:
        smtp(server)
        with delivery.Outbox() as outbox:
            server.handler.refuse_mail_with = "451 4.3.2 Try again later"
            with pytest.raises(smtplib.SMTPSenderRefused):
                outbox.send(EmailMessage("First", "Refused", to=["a@example.org"]), handover=held)
            connection_after_refusal = outbox.backend.connection
            server.handler.refuse_mail_with = None
            assert outbox.send(EmailMessage("Second", "Accepted", to=["a@example.org"]), handover=held)
            assert outbox.backend.connection is connection_after_refusal is not None
    assert [message["Subject"] for message in server.handler.messages()] == ["Second"]


def test_a_server_rejecting_the_message_at_its_end_leaves_it_waiting(smtp, planned):
    first = planned[0]
    with sink(on_data=lambda content: "554 5.6.0 Message rejected") as server:
        smtp(server)
        with pytest.raises(services.SendFailed) as failure:
            services.reminders_deliver([first.pk])
    first.refresh_from_db()
    assert (first.status, first.sent_at, first.attempts) == (ReminderStatus.WAITING, None, 1)
    assert "Message rejected" in first.last_error and failure.value.remaining == [first.pk]


def test_an_unreachable_server_leaves_the_whole_batch_waiting(settings, planned):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    ids = [reminder.pk for reminder in planned]
    with pytest.raises(services.SendFailed) as failure:
        services.reminders_deliver(ids)
    assert failure.value.remaining == sorted(ids)
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.WAITING}
