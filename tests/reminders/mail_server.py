"""A mail server that refuses, for the tests of sending (the in-memory backend, made to fail)."""

from __future__ import annotations

import smtplib

from django.core import mail

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def refuse_from_now_on(monkeypatch, error: Exception) -> None:
    def refuse(self, messages):
        raise error

    monkeypatch.setattr(LOCMEM_SEND, refuse)


def refuse_once(monkeypatch) -> None:
    """The first send fails as a dropped connection would; every later one goes through."""
    real_send = mail.backends.locmem.EmailBackend.send_messages
    refusals = iter([True])

    def send(self, messages):
        if next(refusals, False):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, messages)

    monkeypatch.setattr(LOCMEM_SEND, send)
