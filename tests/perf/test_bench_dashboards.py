"""Benchmark: the district and school dashboards at the largest US district's size, over HTTP.

Run by `make bench` (never by a normal test run; `make bench PYTEST_ARGS="-k dashboards"` runs
only this). Builds the largest district (tests/perf/largest_district.py: 1,870 schools, 150,000
staff, 1,060,000 students, 20,000 accounts, the 2026–27 disclosure cycle, a year of consent) in
the test database and serves the application with gunicorn in production mode (DJANGO_DEBUG=false,
Redis for the cache, collected static files). The benchmark signs in over HTTP as the director and
as a high school's principal, then a load generator in a second process (tests/perf/load.py)
loads each page on its own over loopback.

It prints how long the build took and its row counts, the server and load set-up, each
dashboard's first (cold) load, then per page: requests, median, p95 and p99 milliseconds,
requests per second and errors; and each dashboard's p95 over the trivial view's p95 (healthz: no
template, no database), against the target of 3×. Two signed-in references are printed for
context, not judged: healthz with a session (what the session and sign-in cost on every request)
and the password-change page (the cost of the base template and navigation on any signed-in page).
The home pages of a teacher, the principal and the director (each person's list of what they owe)
are printed beside that plain signed-in page.
Any answer but a 200 fails the benchmark; the timings are measured, not asserted.

Production over plain HTTP: the server keeps its production settings (HTTPS redirect, secure
cookies, HSTS) and every request says it came through a TLS-terminating proxy
(X-Forwarded-Proto: https, which SECURE_PROXY_SSL_HEADER trusts), as behind the real proxy.

BENCH_SCALE scales the data (0.02 proves the harness in a minute); BENCH_CONCURRENCY (default 8;
a list such as 1,8 runs each level), BENCH_DURATION (seconds per page, default 15),
BENCH_WARMUP (seconds, default 3), BENCH_GUNICORN_WORKERS (default 4), BENCH_MIXED=1 (also load
every page at once) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/13, flushed before
and after) adjust the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests import real_services
from tests.perf.largest_district import LargestDistrict, build
from tests.servers import PROXY_HEADERS, collect_static, get, gunicorn, production_environment, sign_in

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
CONCURRENCY = [int(level) for level in os.environ.get("BENCH_CONCURRENCY", "8").split(",")]
DURATION = float(os.environ.get("BENCH_DURATION", "15"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
# Sync workers, as the Procfile runs them: one request per process at a time. Two per CPU, so
# one computes while the other waits for PostgreSQL (which shares the same two CPUs).
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
MIXED = os.environ.get("BENCH_MIXED", "") == "1"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
TARGET_RATIO = 3.0
# Each home page is printed beside the plainest signed-in page of the same server (base template and
# navigation, no list): what the person's list costs on top of being signed in.
PLAIN_SIGNED_IN = "password page, signed in"


@dataclass(frozen=True)
class Page:
    label: str
    persona: str | None  # the district's director, the school's principal or a teacher there; None: anonymous
    kind: str  # "trivial": the baseline; "dashboard": judged against it; "home": printed beside the plain
    # signed-in page; "reference": printed for context
    url_name: str
    argument: str | None = None  # "district" (its slug) or "school" (its pk)

    def path(self, built: LargestDistrict) -> str:
        args = {None: [], "district": [built.district.slug], "school": [built.school.pk]}[self.argument]
        return reverse(self.url_name, args=args)


PAGES = [
    Page("trivial view (healthz)", None, "trivial", "healthz"),
    Page("district dashboard", "director", "dashboard", "dashboards:district", "district"),
    Page("school dashboard", "principal", "dashboard", "dashboards:school", "school"),
    Page("home, staff member", "staff", "home", "home"),
    Page("home, principal", "principal", "home", "home"),
    Page("home, director", "director", "home", "home"),
    Page("healthz, signed in", "director", "reference", "healthz"),
    Page(PLAIN_SIGNED_IN, "director", "reference", "account_change_password"),
]


# --- The server -------------------------------------------------------------------------------


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def run_load(port: int, targets: list[dict], concurrency: int) -> dict:
    """tests/perf/load.py in its own process; its JSON report."""
    spec = {
        "base_url": f"http://127.0.0.1:{port}",
        "headers": PROXY_HEADERS,
        "concurrency": concurrency,
        "duration": DURATION,
        "warmup": WARMUP,
        "mixed": MIXED,
        "targets": targets,
    }
    finished = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "perf" / "load.py"), "--spec", "-"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=len(targets) * (DURATION + WARMUP) * (2 if MIXED else 1) + 600,
        check=False,
    )
    try:
        return json.loads(finished.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"load.py printed no report (exit {finished.returncode}):\n{finished.stderr[-3000:]}")


# --- Printing ---------------------------------------------------------------------------------


def _print_build(built: LargestDistrict) -> None:
    print(f"\nLargest district built in {built.seconds:,.0f} s (BENCH_SCALE={SCALE:g}, {connection.vendor}):")
    for name, rows in built.counts.items():
        print(f"  {name:<28} {rows:>12,}")
    print(f"  school dashboard shows      {built.school.name} (the principal: {built.principal.email})")


def _print_table(title: str, results: list[dict], personas: dict[str, str]) -> None:
    print(f"\n  {title}")
    print(f"  {'page':<28} {'as':<10} {'requests':>8} {'median ms':>10} {'p95 ms':>9} {'p99 ms':>9} "
          f"{'req/s':>8} {'errors':>7}")  # fmt: skip
    for r in results:
        print(f"  {r['label']:<28} {personas[r['label']]:<10} {r['requests']:>8,} {r['median_ms']:>10.1f} "
              f"{r['p95_ms']:>9.1f} {r['p99_ms']:>9.1f} {r['rps']:>8.1f} {r['errors']:>7,}")  # fmt: skip
        if r["errors"]:
            print(f"      outcomes: {r['outcomes']}")


def _print_ratios(results: list[dict]) -> None:
    by_label = {r["label"]: r for r in results}
    trivial = next(by_label[p.label] for p in PAGES if p.kind == "trivial")
    references = [by_label[p.label] for p in PAGES if p.kind == "reference"]
    for page in (p for p in PAGES if p.kind == "dashboard"):
        p95 = by_label[page.label]["p95_ms"]
        ratio = p95 / trivial["p95_ms"]
        verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
        context = ", ".join(f"{p95 / r['p95_ms']:.1f}× {r['label']}" for r in references)
        print(f"  {page.label}: p95 / trivial p95 = {p95:.1f} / {trivial['p95_ms']:.1f} ms = {ratio:.1f}× "
              f"(target ≤ {TARGET_RATIO:g}×) {verdict}   [for context: {context}]")  # fmt: skip
    plain = by_label[PLAIN_SIGNED_IN]
    for page in (p for p in PAGES if p.kind == "home"):
        home = by_label[page.label]
        print(f"  {page.label}: median {home['median_ms']:.1f} ms, p95 {home['p95_ms']:.1f} ms; "
              f"{PLAIN_SIGNED_IN}: median {plain['median_ms']:.1f} ms, p95 {plain['p95_ms']:.1f} ms "
              f"(p95 ratio {home['p95_ms'] / plain['p95_ms']:.1f}×)")  # fmt: skip


# --- The benchmark ------------------------------------------------------------------------------


def test_dashboards_at_the_largest_district_under_load(tmp_path):
    environment = production_environment(real_services.test_database_url(), REDIS_URL)
    started = time.perf_counter()
    collect_static(environment)
    print(f"\nStatic files collected in {time.perf_counter() - started:.0f} s (production storage: hashed names)")
    print(f"Building the largest district at BENCH_SCALE={SCALE:g}:")
    built = build(SCALE)
    _print_build(built)
    _flush_redis()
    log = tmp_path / "gunicorn.log"
    try:
        with gunicorn(environment, log, workers=WORKERS) as port:
            sessions = max(CONCURRENCY)  # one signed-in person per connection, as many people would be
            cookies = {
                persona: [sign_in(port, built.persona(persona).email, built.password) for _ in range(sessions)]
                for persona in sorted({page.persona for page in PAGES if page.persona})
            }
            targets = [
                {"label": page.label, "path": page.path(built), "cookies": cookies.get(page.persona, [])}
                for page in PAGES
            ]
            personas = {page.label: page.persona or "anonymous" for page in PAGES}
            print(f"Server: gunicorn, {WORKERS} sync workers, on {os.cpu_count()} CPUs, Redis cache, "
                  f"DJANGO_DEBUG=false; load: tests/perf/load.py in a second process over loopback, "
                  f"{DURATION:g} s per page after {WARMUP:g} s of warm-up, each page on its own")  # fmt: skip
            for page, target in zip(PAGES, targets, strict=True):
                print(f"  {page.label:<28} {target['path']}")
            print("First load (cold):")
            for page, target in zip(PAGES, targets, strict=True):
                if page.kind not in ("dashboard", "home"):
                    continue
                answer = get(port, target["path"], target["cookies"][0])
                print(f"  {page.label:<28} {answer.ms:9,.0f} ms   {len(answer.body) / 1024:6,.0f} KiB   "
                      f"HTTP {answer.status}")  # fmt: skip
                assert answer.status == 200, log.read_text()[-3000:]
            errors = 0
            for concurrency in CONCURRENCY:
                report = run_load(port, targets, concurrency)
                _print_table(f"{concurrency} concurrent connection{'s' if concurrency > 1 else ''}:",
                             report["results"], personas)  # fmt: skip
                _print_ratios(report["results"])
                errors += sum(r["errors"] for r in report["results"])
                if "mixed" in report:
                    _print_table(f"all pages at once, {concurrency} connections ({report['mixed_rps']:.0f} req/s):",
                                 report["mixed"], personas)  # fmt: skip
                    errors += sum(r["errors"] for r in report["mixed"])
            server_log = log.read_text().strip()
            if server_log:
                print(f"\nServer log ({len(server_log.splitlines())} lines), last lines:\n{server_log[-1500:]}")
            assert errors == 0, f"{errors} requests did not answer 200; server log:\n{server_log[-3000:]}"
    finally:
        _flush_redis()
