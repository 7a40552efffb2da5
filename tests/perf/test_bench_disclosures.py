"""Benchmark: disclosure tracking at the largest US district's size.

Run by `make bench` (never by a normal test run). Prints milliseconds and queries per page for
the district's tracking page (totals, per-school table and chart, one page of people), its
filters, a principal's view, the review queue and the CSV of everyone, plus the reminder
selectors, with 150,000 staff over 1,800 schools in every filing state (BENCH_SCALE scales both).
"""

from __future__ import annotations

import datetime
import os
import time

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import DisclosureRecipient, Membership, Role, School, User
from disclosures import selectors, services
from disclosures.models import Disclosure, DisclosureState
from tests.pages import timed

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
STAFF = int(150_000 * SCALE)
SCHOOLS = max(2, int(1_800 * SCALE))
RUNS = 5
BATCH = 5_000

# Of every 20 people: 8 accepted, 4 waiting for review, 1 returned, 2 with a draft, 5 not started.
STATES = (
    [DisclosureState.ACCEPTED] * 8
    + [DisclosureState.SUBMITTED] * 4
    + [DisclosureState.RETURNED]
    + [DisclosureState.DRAFT] * 2
    + [None] * 5
)


def _add_staff(world, cycle, schools: list[School]) -> None:
    now = timezone.now()
    for start in range(0, STAFF, BATCH):
        people = User.objects.bulk_create(
            User(
                email=f"bench{n}@north.example.org",
                first_name=f"First{n}",
                last_name=f"Last{n:06d}",
                district=world.district,
                password="!",
                started_on=datetime.date(2026, 10, 1) if n % 50 == 0 else None,
            )
            for n in range(start, min(start + BATCH, STAFF))
        )
        Membership.objects.bulk_create(
            Membership(user=person, district=world.district, school=schools[n % len(schools)], role=Role.STAFF)
            for n, person in enumerate(people, start)
        )
        filings = []
        for n, person in enumerate(people, start):
            state = STATES[n % len(STATES)]
            if state is None:
                continue
            filed = state != DisclosureState.DRAFT
            filings.append(
                Disclosure(
                    cycle=cycle,
                    employee=person,
                    state=state,
                    takes_part_in_none=True,
                    signed_name=person.full_name if filed else "",
                    signed_at=now if filed else None,
                    submitted_at=now if filed else None,
                    attestation_hash=cycle.attestation_hash if filed and n % 7 else "0" * 64,
                    filed_late=filed and n % 11 == 0,
                )
            )
        Disclosure.objects.bulk_create(filings)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2026, 11, 21)


def test_disclosure_tracking_at_the_largest_district(client, world, today):
    world.district.disclosure_recipient = DisclosureRecipient.SCHOOL
    world.district.save()
    cycle = services.disclosure_cycle_create(
        acting_user=world.director,
        district=world.district,
        school_year_start=2026,
        opens_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 12, 1),
    )
    more = School.objects.bulk_create(
        School(district=world.district, name=f"School {n:04d}") for n in range(SCHOOLS - 1)
    )
    schools = [world.school, *more]
    _add_staff(world, cycle, schools)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    tracking = reverse("disclosures:cycle_detail", args=[cycle.pk])
    pages = [
        ("director", "tracking page", tracking),
        ("director", "late only", tracking + "?category=late"),
        ("director", "one school", tracking + f"?school={world.school.pk}"),
        ("director", "name search", tracking + "?q=Last012345"),
        ("principal", "principal's tracking", tracking),
        ("director", "review queue", reverse("disclosures:review_queue")),
        ("director", f"CSV ({STAFF:,} people)", tracking + "?format=csv"),
    ]
    print(f"\n{STAFF:,} staff over {SCHOOLS:,} schools on {connection.vendor}")
    for persona, name, url in pages:
        client.force_login(world.persona(persona))
        median, captured = timed(client, url, RUNS)
        print(f"  {name:<28} median {median:7.0f} ms   {len(captured):3d} queries")
        if os.environ.get("BENCH_VERBOSE"):
            for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]:
                print(f"      {float(query['time']) * 1000:6.0f} ms  {query['sql'][:160]}")
    questions = [
        ("not filed", lambda: selectors.not_filed(cycle, today).count()),
        ("due within 14 days", lambda: selectors.due_within(cycle, today, 14).count()),
        ("late on Dec 15", lambda: selectors.late(cycle, datetime.date(2026, 12, 15)).count()),
        ("must sign again", lambda: selectors.must_sign_again(cycle).count()),
        ("waiting for review", lambda: selectors.waiting_for_review(cycle).count()),
    ]
    for name, question in questions:
        started = time.perf_counter()
        answer = question()
        print(f"  reminder: {name:<20} {(time.perf_counter() - started) * 1000:7.0f} ms   {answer:,} people")
