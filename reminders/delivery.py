"""Handing a message to the mail server so that a worker killed at any moment does not send it twice.

A mail server takes responsibility for a message when it reads the "." that ends DATA; if the
connection ends before that ".", it discards the message. The reminder log lives in PostgreSQL,
which likewise commits a transaction when it reads COMMIT. So the sender writes the whole message,
opens the handover (a transaction marking the reminder sent), writes the ".", and commits at once,
before waiting for the server's answer:

- killed before the "." is written, the transaction rolls back and the server drops the unfinished
  message: the reminder is sent later, once;
- killed after the COMMIT is written, both servers read what arrived before the connection ended:
  the message is kept and the log says sent.

What remains is the few microseconds between writing the "." and writing the COMMIT (measured by
the integration tests that kill workers mid-batch, and reported in the README), and a network that
fails after the "." before the answer arrives, when the reminder is sent again as every SMTP client
must (RFC 1047). Either way the copy carries the same Message-ID, which many mail systems collapse.
If the handover finds that the sender no longer holds the reminder (its lease ran out and another
sender took it), the connection is dropped instead, and the server discards the message.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

_LINE_ENDS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def smtp_data(message: EmailMessage) -> bytes:
    """The DATA section without its final ".": CRLF line ends, and a "." starting a line doubled."""
    mime = message.message().as_bytes(linesep="\r\n")
    data = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", mime))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class Outbox:
    """One connection to the configured mail backend for a batch of messages."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.speaks_smtp = isinstance(self.backend, SMTPBackend)
        self.nodelay = False

    def __enter__(self) -> Outbox:
        self.backend.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # A connection that is already gone needs no goodbye.
        with contextlib.suppress(Exception):
            self.backend.close()

    def send(self, message: EmailMessage, handover: Callable[[], AbstractContextManager[bool]]) -> bool:
        """Sends the message unless the handover says this sender no longer holds it. The handover is
        a transaction that commits as its block ends; the final "." is written inside it. Raises when
        the server refuses or cannot be reached; after the commit, the caller must undo it."""
        if not self.speaks_smtp:
            # Files, the console and the test outbox cannot half-receive a message.
            with handover() as holds:
                if holds:
                    self.backend.send_messages([message])
            return holds
        smtp = self._smtp
        if smtp.connection is None:
            smtp.open()
        connection = smtp.connection
        if connection is None:  # open() connects or raises
            raise smtplib.SMTPServerDisconnected("no connection to the mail server")
        if not self.nodelay and connection.sock is not None:  # connected: it has its socket
            # The "." goes in a write of its own; without this, Nagle's algorithm holds it until the
            # server acknowledges the message (up to 40 ms of delayed ACK, for every message).
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.nodelay = True
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
        try:
            with handover() as holds:
                if not holds:
                    self._drop()
                    return False
                connection.send(b".\r\n")
            code, reply = connection.getreply()
        except Exception:
            self._drop()
            raise
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return True

    @property
    def _smtp(self) -> SMTPBackend:
        """The backend as the SMTP backend it is whenever `speaks_smtp`."""
        if not isinstance(self.backend, SMTPBackend):
            raise TypeError("the mail backend does not speak SMTP")
        return self.backend

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
            connection = self._smtp.connection
            if connection is None:
                raise smtplib.SMTPServerDisconnected("no connection to reset")
            connection.rset()
        except Exception:
            self._drop()

    def _drop(self) -> None:
        """Closes the socket without QUIT: in the middle of DATA, QUIT would be read as message text."""
        smtp = self._smtp
        connection, smtp.connection = smtp.connection, None
        self.nodelay = False
        if connection is not None:
            with contextlib.suppress(Exception):  # a broken socket is gone either way
                connection.close()
