"""Fetching pages in tests and benchmarks: the whole response (a CSV streams), its queries, its time."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext


def fetch(client, url: str):
    """GET `url` and read all of it: a streaming CSV runs its queries while it is read."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert fetch(client, url).status_code == 200
    return len(captured)


def timed(client, url: str, runs: int) -> tuple[float, CaptureQueriesContext]:
    """The median milliseconds of `runs` fetches, and the last fetch's queries."""
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = fetch(client, url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), captured
