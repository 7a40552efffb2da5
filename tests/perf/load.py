"""A small HTTP load generator, run as its own process (standard library only).

Each target (a path, with the session cookies to send) is loaded on its own: `concurrency`
threads, each with its own keep-alive connection (reopened when the server closes it, as gunicorn's
sync workers do after every response), send GET requests back to back for `warmup` seconds, not
recorded, then for `duration` seconds (or until `requests` have been sent). Thread i sends cookie
i (modulo how many were given), so each connection can be its own signed-in person. Optionally a
mixed run loads every target at once, round robin. Anything but a 200 counts as an error.

Prints one JSON object: per target, requests, errors (by status or exception), median, p95, p99,
mean and max in milliseconds, and requests per second. Exits 1 when any request failed.

    python tests/perf/load.py http://127.0.0.1:8000 /healthz/ /registry/ \\
        --cookie 'sessionid=…' --header 'X-Forwarded-Proto: https' --concurrency 8 --duration 15

or, from a program, the same as JSON on standard input:

    python tests/perf/load.py --spec - <<< '{"base_url": "http://127.0.0.1:8000", "concurrency": 8,
        "duration": 15, "warmup": 2, "headers": {}, "mixed": false,
        "targets": [{"label": "healthz", "path": "/healthz/", "cookies": []}]}'
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    cookies: tuple[str, ...] = ()


@dataclass
class Tally:
    """What one target's requests took and returned (one per thread, merged at the end)."""

    seconds: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)

    def add(self, seconds: float, outcome: str) -> None:
        self.seconds.append(seconds)
        self.outcomes[outcome] += 1


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def summary(target: Target, tally: Tally, elapsed: float) -> dict[str, object]:
    ordered = sorted(tally.seconds)
    ms = [s * 1000 for s in ordered]
    errors = sum(count for outcome, count in tally.outcomes.items() if outcome != "200")
    return {
        "label": target.label,
        "path": target.path,
        "requests": len(ms),
        "errors": errors,
        "outcomes": dict(tally.outcomes),
        "median_ms": round(statistics.median(ms), 2) if ms else None,
        "p95_ms": round(percentile(ms, 0.95), 2) if ms else None,
        "p99_ms": round(percentile(ms, 0.99), 2) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else None,
        "max_ms": round(ms[-1], 2) if ms else None,
        "rps": round(len(ms) / elapsed, 1) if elapsed > 0 else None,
        "seconds": round(elapsed, 2),
    }


class Client:
    """One connection to the server, reopened whenever the server closes it."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit(f"base URL must be http://host:port, not {base_url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers = headers
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str, cookie: str | None) -> tuple[float, str]:
        """Seconds from sending the request to the last byte of the body, and the outcome."""
        headers = dict(self.headers)
        if cookie:
            headers["Cookie"] = cookie
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            self.connection.request("GET", self.prefix + path, headers=headers)
            response = self.connection.getresponse()
            response.read()
            outcome = str(response.status)
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            outcome = type(error).__name__
        return time.perf_counter() - started, outcome

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run(
    base_url: str,
    targets: list[Target],
    *,
    concurrency: int,
    duration: float,
    requests: int | None = None,
    warmup: float = 0.0,
    headers: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> tuple[dict[str, Tally], float]:
    """Load `targets` together (round robin in each thread; one target is the usual case).
    Every thread warms up, then all start measuring at the same moment."""
    Client(base_url, {}, timeout)  # a malformed URL stops here, before any thread waits for the others
    times: dict[str, float] = {}
    start = threading.Barrier(concurrency, action=lambda: times.update(started=time.monotonic()))
    per_thread = [{target.label: Tally() for target in targets} for _ in range(concurrency)]
    sent = 0
    lock = threading.Lock()

    def claim() -> bool:
        nonlocal sent
        if requests is None:
            return True
        with lock:
            sent += 1
            return sent <= requests

    def worker(index: int) -> None:
        client = Client(base_url, headers or {}, timeout)
        turn = index
        try:
            warm_until = time.monotonic() + warmup
            while time.monotonic() < warm_until:
                target = targets[turn % len(targets)]
                turn += 1
                client.get(target.path, target.cookies[index % len(target.cookies)] if target.cookies else None)
            start.wait()
            stop_at = times["started"] + duration
            while time.monotonic() < stop_at and claim():
                target = targets[turn % len(targets)]
                turn += 1
                cookie = target.cookies[index % len(target.cookies)] if target.cookies else None
                per_thread[index][target.label].add(*client.get(target.path, cookie))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - times.get("started", time.monotonic())
    tallies = {target.label: Tally() for target in targets}
    for mine in per_thread:
        for label, tally in mine.items():
            tallies[label].seconds.extend(tally.seconds)
            tallies[label].outcomes.update(tally.outcomes)
    return tallies, elapsed


def load(spec: dict) -> dict[str, object]:
    targets = [Target(t["label"], t["path"], tuple(t.get("cookies") or ())) for t in spec["targets"]]
    options = {
        "concurrency": int(spec.get("concurrency", 8)),
        "duration": float(spec.get("duration", 15)),
        "requests": spec.get("requests"),
        "warmup": float(spec.get("warmup", 2)),
        "headers": spec.get("headers") or {},
        "timeout": float(spec.get("timeout", 120)),
    }
    results = []
    for target in targets:
        tallies, elapsed = run(spec["base_url"], [target], **options)
        results.append(summary(target, tallies[target.label], elapsed))
    report: dict[str, object] = {
        "base_url": spec["base_url"],
        "concurrency": options["concurrency"],
        "duration": options["duration"],
        "warmup": options["warmup"],
        "results": results,
    }
    if spec.get("mixed") and len(targets) > 1:
        tallies, elapsed = run(spec["base_url"], targets, **options)
        report["mixed"] = [summary(target, tallies[target.label], elapsed) for target in targets]
        report["mixed_rps"] = round(sum(len(t.seconds) for t in tallies.values()) / elapsed, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", help="http://host:port")
    parser.add_argument("paths", nargs="*", help="paths to load, each on its own")
    parser.add_argument("--spec", help="read everything as JSON from this file (- for standard input)")
    parser.add_argument("--cookie", action="append", default=[], help="Cookie header value (repeat: one per thread)")
    parser.add_argument("--header", action="append", default=[], help="'Name: value' sent with every request")
    parser.add_argument("--concurrency", "-c", type=int, default=8)
    parser.add_argument("--duration", "-d", type=float, default=15.0, help="seconds per path")
    parser.add_argument("--requests", "-n", type=int, help="stop a path after this many requests")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per path before measuring")
    parser.add_argument("--mixed", action="store_true", help="also load every path at once")
    arguments = parser.parse_args(argv)
    if arguments.spec:
        with sys.stdin if arguments.spec == "-" else open(arguments.spec) as source:
            spec = json.load(source)
    else:
        if not arguments.base_url or not arguments.paths:
            parser.error("give a base URL and at least one path, or --spec")
        headers = dict(h.split(":", 1) for h in arguments.header)
        spec = {
            "base_url": arguments.base_url,
            "targets": [{"label": path, "path": path, "cookies": arguments.cookie} for path in arguments.paths],
            "headers": {name.strip(): value.strip() for name, value in headers.items()},
            "concurrency": arguments.concurrency,
            "duration": arguments.duration,
            "requests": arguments.requests,
            "warmup": arguments.warmup,
            "mixed": arguments.mixed,
        }
    report = load(spec)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    failed = any(r["errors"] for r in [*report["results"], *report.get("mixed", [])])  # type: ignore[misc]  # JSON-shaped report
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
