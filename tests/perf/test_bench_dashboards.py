"""Benchmark: the district and school dashboards at the largest US district's size, over HTTP.

Run by `make bench` (never by a normal test run; `make bench PYTEST_ARGS="-k dashboards"` runs
only this). Builds the largest district (tests/perf/largest_district.py: 1,870 schools, 150,000
staff, 1,060,000 students, 20,000 accounts, the 2026–27 disclosure cycle, a year of consent) in
the test database and serves the application with gunicorn in production mode (DJANGO_DEBUG=false,
Redis for the cache, collected static files). The benchmark signs in over HTTP as the director and
as a high school's principal, then a load generator in a second process (tests/perf/load.py)
loads each page on its own over loopback.

It prints how long the build took and its row counts, the server and load set-up, each judged
page's first (cold) load and its queries per request (counted in process, with a warm cache), then
per page: requests, median, p95 and p99 milliseconds, requests per second and errors; and the two
ratios the target is set in (issue "a signed-in page costs little more than an anonymous one"):
- the signed-in layout page (the password page: the full layout, no data) over anonymous
  `/healthz/` of the same server, target at most 3x;
- each dashboard, each role's home page and the pages found slow at the largest district
  (disclosure tracking for the director and a principal, the registry's list and its "needs
  attention" filter, the authorization list, the audit log) over that layout page, target at most 2x.
`/healthz/` signed in is printed for context. Then the audit log page at AUDIT_CONCURRENCY (25)
connections, and its CSV export of a whole year: rows, seconds, rows per second.
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

import datetime
import http.client
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

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
AUDIT_CONCURRENCY = int(os.environ.get("BENCH_AUDIT_CONCURRENCY", "25"))
# The layout page over anonymous /healthz/, and every judged page over the layout page.
LAYOUT_TARGET = 3.0
PAGE_TARGET = 2.0
LAYOUT = "layout page, signed in"


@dataclass(frozen=True)
class Page:
    label: str
    persona: str | None  # the district's director, the school's principal or a teacher there; None: anonymous
    kind: str  # "trivial": anonymous /healthz/, the baseline; "layout": judged against it; "judged":
    # judged against the layout page; "reference": printed for context
    url_name: str
    argument: str | None = None  # "district" (its slug), "school" (its pk) or "cycle" (its pk)
    query: str = ""

    def path(self, built: LargestDistrict) -> str:
        args = {
            None: [],
            "district": [built.district.slug],
            "school": [built.school.pk],
            "cycle": [built.cycle.pk],
        }[self.argument]
        return reverse(self.url_name, args=args) + self.query


PAGES = [
    Page("healthz, anonymous", None, "trivial", "healthz"),
    Page("healthz, signed in", "director", "reference", "healthz"),
    Page(LAYOUT, "director", "layout", "account_change_password"),
    Page("district dashboard", "director", "judged", "dashboards:district", "district"),
    Page("school dashboard", "principal", "judged", "dashboards:school", "school"),
    Page("home, staff member", "staff", "judged", "home"),
    Page("home, principal", "principal", "judged", "home"),
    Page("home, director", "director", "judged", "home"),
    Page("disclosure tracking", "director", "judged", "disclosures:cycle_detail", "cycle"),
    Page("principal's tracking", "principal", "judged", "disclosures:cycle_detail", "cycle"),
    Page("registry list", "director", "judged", "registry:account_list"),
    Page("registry, needs attention", "director", "judged", "registry:account_list", query="?attention=any"),
    Page("authorization list", "director", "judged", "authorizations:list"),
    Page("audit log", "director", "judged", "audit:log", "district"),
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


def _ratio_line(label: str, p95: float, base_label: str, base_p95: float, target: float) -> str:
    ratio = p95 / base_p95
    verdict = "PASS" if ratio <= target else "MISS"
    return (
        f"  {label:<28} p95 {p95:8.1f} ms / {base_label} {base_p95:.1f} ms = {ratio:5.1f}x "
        f"(target <= {target:g}x) {verdict}"
    )


def _print_ratios(results: list[dict], queries: dict[str, int]) -> None:
    by_label = {r["label"]: r for r in results}
    trivial = next(by_label[p.label] for p in PAGES if p.kind == "trivial")
    layout = by_label[LAYOUT]
    print("  Ratios (queries per request, counted in process with a warm cache, in brackets):")
    print(_ratio_line(LAYOUT, layout["p95_ms"], "healthz", trivial["p95_ms"], LAYOUT_TARGET)
          + f"  [{queries.get(LAYOUT, 0)} queries]")  # fmt: skip
    for page in (p for p in PAGES if p.kind == "judged"):
        line = _ratio_line(page.label, by_label[page.label]["p95_ms"], "layout", layout["p95_ms"], PAGE_TARGET)
        print(f"{line}  [{queries.get(page.label, 0)} queries]")


def count_queries(built: LargestDistrict) -> dict[str, int]:
    """Each signed-in page's queries per request, as a returning reader pays them (second load)."""
    from django.db import connection as database
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    for page in PAGES:
        if page.persona is None:
            continue
        client = Client(headers=PROXY_HEADERS)
        client.force_login(built.persona(page.persona))
        client.get(page.path(built))
        with CaptureQueriesContext(database) as captured:
            answer = client.get(page.path(built))
        assert answer.status_code == 200, (page.label, answer.status_code)
        counts[page.label] = len(captured)
    return counts


def measure_audit_log(port: int, built: LargestDistrict, cookies: list[str]) -> None:
    """The audit log page under many readers at once, and its yearly CSV export."""
    page = next(p for p in PAGES if p.label == "audit log")
    target = {"label": f"audit log, {AUDIT_CONCURRENCY} at once", "path": page.path(built), "cookies": cookies}
    report = run_load(port, [target], AUDIT_CONCURRENCY)
    _print_table(f"The audit log at {AUDIT_CONCURRENCY} concurrent connections:", report["results"],
                 {target["label"]: "director"})  # fmt: skip
    today = datetime.date.today()
    query = urlencode({"from": (today - datetime.timedelta(days=365)).isoformat(), "until": today.isoformat()})
    started = time.perf_counter()
    try:
        answer = get(port, reverse("audit:export", args=[built.district.slug]) + "?" + query, cookies[0])
    except (http.client.HTTPException, ValueError, OSError) as cut:
        # A sync worker streaming longer than gunicorn's timeout is killed mid-download: print it, as found.
        print(f"  audit log CSV of a year: cut off after {time.perf_counter() - started:.1f} s ({cut!r})")
        return
    assert answer.status == 200, answer.status
    rows = max(0, answer.body.count(b"\n") - 1)
    seconds = answer.ms / 1000
    print(f"  audit log CSV of a year: {rows:,} rows in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} rows/s, "
          f"{len(answer.body) / 1_048_576:.1f} MiB)")  # fmt: skip


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
                if page.kind != "judged":
                    continue
                answer = get(port, target["path"], target["cookies"][0])
                print(f"  {page.label:<28} {answer.ms:9,.0f} ms   {len(answer.body) / 1024:6,.0f} KiB   "
                      f"HTTP {answer.status}")  # fmt: skip
                assert answer.status == 200, log.read_text()[-3000:]
            queries = count_queries(built)
            errors = 0
            for concurrency in CONCURRENCY:
                report = run_load(port, targets, concurrency)
                _print_table(f"{concurrency} concurrent connection{'s' if concurrency > 1 else ''}:",
                             report["results"], personas)  # fmt: skip
                _print_ratios(report["results"], queries)
                errors += sum(r["errors"] for r in report["results"])
                if "mixed" in report:
                    _print_table(f"all pages at once, {concurrency} connections ({report['mixed_rps']:.0f} req/s):",
                                 report["mixed"], personas)  # fmt: skip
                    errors += sum(r["errors"] for r in report["mixed"])
            measure_audit_log(port, built, cookies["director"])
            server_log = log.read_text().strip()
            if server_log:
                print(f"\nServer log ({len(server_log.splitlines())} lines), last lines:\n{server_log[-1500:]}")
            assert errors == 0, f"{errors} requests did not answer 200; server log:\n{server_log[-3000:]}"
    finally:
        _flush_redis()
