"""PostgreSQL as Django's own backend, with a health check that costs no round trip.

Django checks a kept connection once per request before using it (CONN_HEALTH_CHECKS), by default
with a `SELECT 1`: a round trip on every signed-in page. A connection the server closed or told to
go (a restart, an administrator's termination) has something to read on its idle socket: the
server's goodbye or the end of the stream. So an idle connection is usable when there is nothing to
read, and is replaced otherwise, without asking the server anything.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is gone
            return False
        # Anything waiting on an idle connection is a goodbye (or a notice nobody asked for):
        # replacing the connection costs a reconnect, never a failed request.
        return not readable
