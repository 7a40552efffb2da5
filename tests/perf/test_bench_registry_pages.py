"""Benchmark: the registry's list pages with as many accounts as the largest US district holds.

Run by `make bench` (never by a normal test run). Prints milliseconds and queries per page for
the director's list, the "needs attention" filter, a principal's list and the CSV export, with
20,000 accounts over 1,870 schools (BENCH_SCALE scales both).
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import School
from tests.pages import timed
from tests.registry.test_views import add_accounts

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
ACCOUNTS = int(20_000 * SCALE)
SCHOOLS = max(2, int(1_870 * SCALE))
RUNS = 7


def test_registry_pages_at_the_largest_district(client, world):
    more = School.objects.bulk_create(School(district=world.district, name=f"School {n}") for n in range(SCHOOLS - 1))
    schools = [world.school, *more]
    add_accounts(world.district, schools, ACCOUNTS, world.staff)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    pages = [
        ("director", "registry list", reverse("registry:account_list")),
        ("director", "needs attention", reverse("registry:account_list") + "?attention=any"),
        ("director", "search", reverse("registry:account_list") + "?q=page+0123"),
        ("principal", "principal's list", reverse("registry:account_list")),
        ("director", f"CSV export ({ACCOUNTS:,} rows)", reverse("registry:account_export")),
        ("staff", "my accounts (one page)", reverse("registry:my_accounts") + "?page=1"),
    ]
    print(f"\n{ACCOUNTS:,} accounts over {SCHOOLS:,} schools on {connection.vendor}")
    for persona, name, url in pages:
        client.force_login(world.persona(persona))
        median, captured = timed(client, url, RUNS)
        print(f"  {name:<32} median {median:7.0f} ms   {len(captured):3d} queries")
        if os.environ.get("BENCH_VERBOSE"):
            for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]:
                print(f"      {float(query['time']) * 1000:6.0f} ms  {query['sql'][:160]}")
