"""Benchmark: every long list filtered and sorted the way people ask, at the largest US district's
size, over HTTP, beside the plain signed-in page of the same server.

Run by `make bench` (never by a normal test run; `make bench PYTEST_ARGS="-k sorted_lists"` runs
only this). First the queries: each page is loaded in process at a small size (SMALL_SCALE, a few
schools) and, after the database is emptied, at BENCH_SCALE (tests/perf/largest_district.py: 1,870
schools, 150,000 staff, 1,060,000 students, 20,000 accounts at 1); a page whose queries grow with the
data fails (one with fewer at the large size shows less there: an empty result reads no rows).
Then, at BENCH_SCALE, gunicorn serves the application in production mode
(tests/perf/test_bench_dashboards.py's server, sign-in and load generator) and each page is loaded on
its own: its p95 is printed beside the signed-in layout page's (the password page: the full layout,
no data), with its queries per request at both sizes. The plain (unsorted, unfiltered) list is loaded
too, so a sort's or a filter's own cost reads off the table. Timings are printed, never asserted.

BENCH_SCALE, BENCH_CONCURRENCY (the first level is used), BENCH_DURATION, BENCH_WARMUP,
BENCH_GUNICORN_WORKERS and BENCH_REDIS_URL as for the dashboards benchmark; BENCH_SMALL_SCALE (default
0.002) is the small size of the query check.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests import real_services
from tests.perf.largest_district import LargestDistrict, build
from tests.perf.test_bench_dashboards import (
    CONCURRENCY,
    DURATION,
    REDIS_URL,
    SCALE,
    WARMUP,
    WORKERS,
    _flush_redis,
    run_load,
)
from tests.servers import PROXY_HEADERS, collect_static, get, gunicorn, production_environment, sign_in

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SMALL_SCALE = float(os.environ.get("BENCH_SMALL_SCALE", "0.002"))
LAYOUT = "layout page, signed in"


@dataclass(frozen=True)
class Page:
    label: str
    persona: str
    path: Callable[[LargestDistrict], str]


def _audit(built: LargestDistrict) -> str:
    return reverse("audit:log", args=[built.district.slug])


def _tracking(built: LargestDistrict) -> str:
    return reverse("disclosures:cycle_detail", args=[built.cycle.pk])


PAGES = [
    Page(LAYOUT, "director", lambda b: reverse("account_change_password")),
    Page("staff list", "director", lambda b: reverse("staff_list")),
    Page("staff, by e-mail desc", "director", lambda b: reverse("staff_list") + "?sort=-email"),
    Page("staff, by last sign-in", "director", lambda b: reverse("staff_list") + "?sort=-signed_in"),
    Page(
        "staff, school + by id", "director", lambda b: reverse("staff_list") + f"?school={b.school.pk}&sort=employee_id"
    ),
    Page("students", "director", lambda b: reverse("student_list")),
    Page("students, by grade desc", "director", lambda b: reverse("student_list") + "?sort=-grade"),
    Page("students, by school", "director", lambda b: reverse("student_list") + "?sort=school"),
    Page(
        "students, school + by id", "director", lambda b: reverse("student_list") + f"?school={b.school.pk}&sort=sis_id"
    ),
    Page("schools, by students", "director", lambda b: reverse("school_list") + "?sort=-students"),
    Page("registry list", "director", lambda b: reverse("registry:account_list")),
    Page(
        "registry, by administrators", "director", lambda b: reverse("registry:account_list") + "?sort=-administrators"
    ),
    Page(
        "registry, attention + review",
        "director",
        lambda b: reverse("registry:account_list") + "?attention=any&sort=next_review",
    ),
    Page("tools, video + grade + kind", "staff", lambda b: reverse("tools:tool_list") + "?q=video&grade=9&sort=-kind"),
    Page("tool requests, newest", "director", lambda b: reverse("tools:request_list") + "?sort=-asked_on"),
    Page("authorizations, by staff", "director", lambda b: reverse("authorizations:list") + "?in_force_sort=staff"),
    Page("disclosure tracking", "director", _tracking),
    Page("tracking, by status", "director", lambda b: _tracking(b) + "?sort=status"),
    Page("tracking, principal, due", "principal", lambda b: _tracking(b) + "?category=not_started&sort=-due"),
    Page(
        "do-not-post, by grade",
        "principal",
        lambda b: reverse("consent:school_do_not_post", args=[b.school.pk]) + "?sort=-grade",
    ),
    Page("audit log", "director", _audit),
    Page("audit log, oldest first", "director", lambda b: _audit(b) + "?sort=when"),
    Page("audit log, one person", "director", lambda b: _audit(b) + f"?person={b.principal.email}"),
    Page("audit log, a school's roles", "director", lambda b: _audit(b) + f"?school={b.school.pk}&kind=role"),
]


def count_queries(built: LargestDistrict) -> dict[str, int]:
    """Each page's queries per request, as a returning reader pays them (second load, warm cache)."""
    counts: dict[str, int] = {}
    for page in PAGES:
        client = Client(headers=PROXY_HEADERS)
        # Read again: the build sets the passwords in SQL after making the personas, and a session
        # signed with the stale password's hash is refused.
        client.force_login(User.objects.get(pk=built.persona(page.persona).pk))
        client.get(page.path(built))
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(page.path(built))
        assert answer.status_code == 200, (page.label, answer.status_code)
        counts[page.label] = len(captured)
    return counts


def _empty_the_database() -> None:
    """Back to the migrated, empty database (the rows migrations wrote, such as the platforms, put back)."""
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)  # type: ignore[attr-defined]


def test_sorted_and_filtered_lists_at_the_largest_district(tmp_path):
    environment = production_environment(real_services.test_database_url(), REDIS_URL)
    collect_static(environment)
    started = time.perf_counter()
    small = build(SMALL_SCALE, log=lambda line: None)
    small_queries = count_queries(small)
    print(f"\nSmall district (BENCH_SMALL_SCALE={SMALL_SCALE:g}): {small.sizes} built and read "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    _empty_the_database()
    print(f"Building the largest district at BENCH_SCALE={SCALE:g}:")
    built = build(SCALE)
    queries = count_queries(built)
    _flush_redis()
    log = tmp_path / "gunicorn.log"
    try:
        with gunicorn(environment, log, workers=WORKERS) as port:
            concurrency = CONCURRENCY[0]
            cookies = {
                persona: [sign_in(port, built.persona(persona).email, built.password) for _ in range(concurrency)]
                for persona in sorted({page.persona for page in PAGES})
            }
            targets = [
                {"label": page.label, "path": page.path(built), "cookies": cookies[page.persona]} for page in PAGES
            ]
            for target in targets:  # the first (cold) load, not measured
                answer = get(port, target["path"], target["cookies"][0])
                assert answer.status == 200, (target["label"], answer.status, log.read_text()[-3000:])
            report = run_load(port, targets, concurrency)
        results = {r["label"]: r for r in report["results"]}
        layout = results[LAYOUT]["p95_ms"]
        print(f"\nServer: gunicorn, {WORKERS} sync workers, on {os.cpu_count()} CPUs, Redis cache, DJANGO_DEBUG=false; "
              f"{concurrency} connections per page, {DURATION:g} s each after {WARMUP:g} s of warm-up.")  # fmt: skip
        print(f"  {'page':<30} {'as':<10} {'requests':>8} {'median':>8} {'p95 ms':>8} {'x layout':>9} "
              f"{'queries small/large':>20}")  # fmt: skip
        errors = 0
        for page in PAGES:
            r = results[page.label]
            errors += r["errors"]
            small_n, large_n = small_queries[page.label], queries[page.label]
            # Fewer at the large size is a page with less to show there (no row read for an empty result).
            fixed = "" if small_n == large_n else ("  GROWS" if large_n > small_n else "  fewer: less to show")
            print(f"  {page.label:<30} {page.persona:<10} {r['requests']:>8,} {r['median_ms']:>8.1f} "
                  f"{r['p95_ms']:>8.1f} {r['p95_ms'] / layout:>8.1f}x {small_queries[page.label]:>9} / "
                  f"{queries[page.label]:<9}{fixed}")  # fmt: skip
        grown = {label: (small_queries[label], n) for label, n in queries.items() if n > small_queries[label]}
        assert not grown, f"queries per request grow with the data: {grown}"
        assert errors == 0, f"{errors} requests did not answer 200; server log:\n{log.read_text()[-3000:]}"
    finally:
        _flush_redis()
