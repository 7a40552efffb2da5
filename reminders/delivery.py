"""Handing a message to the mail server so that a worker killed at any moment never sends a copy twice.

A mail server takes responsibility for a message when it answers the "." that ends the DATA command,
and it discards a message whose connection closes before that ".". So the sender writes the whole
message, calls `handover()`, which records the reminder as sent and commits, and only then writes the
".". Killed before the commit, the server drops the unfinished message and the reminder is sent again
later; killed after it, the server has (or is about to read) the "." and the log already says sent.
If `handover()` finds the sender no longer holds the reminder (its lease ran out and another sender
took it), the connection is dropped instead, and the server discards the message.

What this cannot settle is the network failing after the "." is written and before the server's
answer arrives: the reminder is then sent again, as every SMTP client must (RFC 1047). The Message-ID
stays the same, so mail systems that collapse repeated Message-IDs show it once.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from collections.abc import Callable
from types import TracebackType

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

_LINE_ENDS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def smtp_data(message: EmailMessage) -> bytes:
    """The DATA section without its final ".": CRLF line ends, and a "." starting a line doubled."""
    data = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", message.message().as_bytes(linesep="\r\n")))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class Outbox:
    """One connection to the configured mail backend for a batch of messages."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.speaks_smtp = isinstance(self.backend, SMTPBackend)

    def __enter__(self) -> Outbox:
        self.backend.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # A connection that is already gone needs no goodbye.
        with contextlib.suppress(Exception):
            self.backend.close()

    def send(self, message: EmailMessage, handover: Callable[[], bool]) -> bool:
        """Sends the message unless `handover()` returns False. Raises when the server refuses it
        or cannot be reached; if that happens after `handover()`, the caller must undo the handover."""
        if not self.speaks_smtp:
            # Files, the console and the test outbox cannot half-receive a message.
            if not handover():
                return False
            self.backend.send_messages([message])
            return True
        if self.backend.connection is None:
            self.backend.open()
        connection = self.backend.connection
        try:
            self._envelope(connection, message)
            code, reply = connection.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            connection.send(smtp_data(message))
        except smtplib.SMTPResponseException:
            self._reset()
            raise
        except Exception:
            self._drop()
            raise
        if not handover():
            self._drop()
            return False
        try:
            connection.send(b".\r\n")
            code, reply = connection.getreply()
        except Exception:
            self._drop()
            raise
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return True

    def _envelope(self, connection: smtplib.SMTP, message: EmailMessage) -> None:
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        connection.ehlo_or_helo_if_needed()
        code, reply = connection.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for recipient in message.recipients():
            address = sanitize_address(recipient, encoding)
            code, reply = connection.rcpt(address)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({address: (code, reply)})

    def _reset(self) -> None:
        """After a refusal the connection is still good once the transaction is reset."""
        try:
            self.backend.connection.rset()
        except Exception:
            self._drop()

    def _drop(self) -> None:
        """Closes the socket without QUIT: in the middle of DATA, QUIT would be read as message text."""
        connection, self.backend.connection = self.backend.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # a broken socket is gone either way
                connection.close()
