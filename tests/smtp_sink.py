"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts, for the delivery tests.

In-process: `with sink() as server:` gives a running server whose `handler.accepted` lists the
messages. As its own process (the integration tests and the benchmark, so that it does not share
the test's interpreter): `python -m tests.smtp_sink PORT RECORD_FILE [REFUSE_FLAG_FILE [REPLY_AFTER]]`
appends each accepted Message-ID to RECORD_FILE, one per line, answers "451 try again later" to
every message while REFUSE_FLAG_FILE exists, and waits REPLY_AFTER seconds before each "250".
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Handler:
    def __init__(
        self,
        record: Path | None = None,
        refuse_while: Path | None = None,
        on_data: Callable[[bytes], str | None] | None = None,
        reply_after: float = 0.0,
    ) -> None:
        self.reply_after = reply_after
        self.accepted: list[bytes] = []
        self.record = record.open("ab", buffering=0) if record else None
        self.refuse_while = refuse_while
        self.refuse_mail_with: str | None = None  # set in-process to refuse every MAIL FROM
        self.on_data = on_data  # in-process: may return a reply instead of "250"
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_mail_with:
            return self.refuse_mail_with
        if self.refuse_while is not None and self.refuse_while.exists():
            return "451 4.3.2 Try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content: bytes = envelope.original_content or envelope.content
        if self.on_data is not None:
            reply = self.on_data(content)
            if reply:
                return reply
        found = MESSAGE_ID.search(content)
        with self.lock:
            self.accepted.append(content)
            if self.record is not None:
                self.record.write((found.group(1) if found else b"<none>") + b"\n")
        if self.reply_after:
            # A slow answer, after the message is kept (as a real server does): a sender killed while
            # it waits has still sent the message.
            await asyncio.sleep(self.reply_after)
        return "250 Message accepted"

    def messages(self) -> list[email.message.Message]:
        return [email.message_from_bytes(content) for content in self.accepted]


class ReadsToTheEnd(SMTP):
    """An SMTP session that, like Postfix or Exim, reads what the client sent before it hung up.

    aiosmtpd stops at once when the client's connection ends, dropping lines it had received and
    not yet read, such as the "." of a message whose sender was killed just after writing it. Mail
    servers read their input in order and keep that message; the sink behaves as they do."""

    def eof_received(self) -> bool:
        asyncio.get_running_loop().create_task(self._end_once_read())
        return True  # keep the connection half-open while the buffered lines are read

    async def _end_once_read(self) -> None:
        # The reader's buffer is private; emptied, the session has acted on every line that arrived.
        while self._reader is not None and self._reader._buffer and not self._handler_coroutine.done():
            await asyncio.sleep(0.001)
        super().eof_received()
        if self.transport is not None:
            self.transport.close()


class SinkController(Controller):
    def factory(self) -> SMTP:
        return ReadsToTheEnd(self.handler, **self.SMTP_kwargs)


@contextlib.contextmanager
def sink(**handler_options: object) -> Iterator[Controller]:
    handler = Handler(**handler_options)  # type: ignore[arg-type]  # options pass through untyped
    controller = SinkController(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def main(port: int, record: str, refuse_while: str | None = None, reply_after: float = 0.0) -> None:
    handler = Handler(Path(record), Path(refuse_while) if refuse_while else None, reply_after=reply_after)
    controller = SinkController(handler, hostname="127.0.0.1", port=port, data_size_limit=0)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    try:
        stopped.wait()
    finally:
        controller.stop()
        os._exit(0)


if __name__ == "__main__":
    main(
        int(sys.argv[1]),
        sys.argv[2],
        sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None,
        float(sys.argv[4]) if len(sys.argv) > 4 else 0.0,
    )
