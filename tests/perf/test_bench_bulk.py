"""Benchmark: re-certifying 1,000 official accounts at once, in a district of 20,000 accounts.

Run by `make bench` (never by a normal test run). Each account goes through the single
re-certification service (its rules, its review row, its history entry), so the queries grow by
the same number per account whatever the batch: printed for 10 and for 1,000 accounts, and held
equal (the time is printed, never asserted). BENCH_SCALE scales the district's accounts.
"""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection

from accounts.models import School
from registry import services
from registry.models import AccountReview, SocialAccount
from tests.registry.test_views import add_accounts

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
ACCOUNTS = max(2_100, int(20_000 * SCALE))
SCHOOLS = max(2, int(1_870 * SCALE))
CONFIRMED = {"administrators_confirmed": True, "purpose_confirmed": True, "follows_policy": True}


def recertify(director, accounts: list[SocialAccount]) -> tuple[float, int]:
    """Seconds and queries for one bulk re-certification of `accounts`, all of which must succeed."""
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = services.account_recertify_many(acting_user=director, accounts=accounts, **CONFIRMED)
        elapsed = time.perf_counter() - started
    assert len(result.done) == len(accounts), result.failed[:3]
    return elapsed, queries


def test_bulk_recertification_costs_the_same_queries_per_account_for_10_and_1000(world, today):
    more = School.objects.bulk_create(School(district=world.district, name=f"School {n}") for n in range(SCHOOLS - 1))
    add_accounts(world.district, [world.school, *more], ACCOUNTS, world.staff)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    accounts = list(SocialAccount.objects.select_related("district").order_by("pk")[:1_014])
    director = world.director

    recertify(director, accounts[:1])  # the first call also reads the director's roles, once a request
    # Queries grow as fixed + per_account * n: two small batches give the fixed part.
    _seconds, one = recertify(director, accounts[1:2])
    _seconds, two = recertify(director, accounts[2:4])
    fixed = 2 * one - two
    figures = {}
    for size, batch in ((10, accounts[4:14]), (1_000, accounts[14:1_014])):
        seconds, queries = recertify(director, batch)
        per_item = (queries - fixed) / size
        figures[size] = per_item
        print(
            f"\n  re-certify {size:>5,} accounts: {seconds * 1000:8.0f} ms  {queries:6,} queries  "
            f"{per_item:.2f} queries per account ({seconds * 1000 / size:.1f} ms per account)"
        )
    print(
        f"  ({ACCOUNTS:,} accounts over {SCHOOLS:,} schools on {connection.vendor}; "
        f"{fixed} queries a batch besides its accounts)"
    )
    assert AccountReview.objects.count() == 1_014
    assert figures[10] == figures[1_000]
