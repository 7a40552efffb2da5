"""Benchmark: consent pages for a large school, and the consent import.

Run by `make bench`. A high school of 3,000 students (the size the consent issue names) with a
year of answers: prints milliseconds and queries for the do-not-post list, the print view, the
CSV, the forms still to collect and the quick check; then checks and applies a 30,000-row
consent file (every student, every scope, a district of ten such schools) and prints rows per
second. BENCH_SCALE scales the sizes.
"""

from __future__ import annotations

import os
import time
import tracemalloc

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import School, Student
from consent import services
from tests.consent.test_views import add_students
from tests.pages import timed

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
STUDENTS = int(3_000 * SCALE)
IMPORT_SCHOOLS = 10
RUNS = 7


def test_consent_pages_and_import_at_a_large_school(client, world):
    scopes = {scope.kind: scope for scope in services.consent_scopes_set_up(acting_user=None, district=world.district)}
    add_students(world.school, STUDENTS, scope=scopes["social_media"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    client.force_login(world.clerk)
    pages = [
        ("do-not-post list (page of 100)", reverse("consent:school_do_not_post", args=[world.school.pk])),
        ("print view (whole school)", reverse("consent:school_print", args=[world.school.pk])),
        ("CSV export", reverse("consent:school_export", args=[world.school.pk])),
        ("forms still to collect", reverse("consent:no_answer", args=[world.school.pk])),
        ("may I post? (15 matches)", reverse("consent:check") + "?q=First1"),
    ]
    print(f"\n{STUDENTS:,} students in one school on {connection.vendor}")
    for name, url in pages:
        median, captured = timed(client, url, RUNS)
        print(f"  {name:<32} median {median:7.0f} ms   {len(captured):3d} queries")

    for n in range(IMPORT_SCHOOLS - 1):
        add_students(School.objects.create(district=world.district, name=f"Import school {n}"), STUDENTS)
    ids = list(Student.objects.filter(district=world.district).values_list("sis_id", flat=True))
    lines = ["sis_id,scope,decision,date,guardian"]
    for kind in ("social_media", "yearbook"):
        lines += [
            f"{sis_id},{kind},granted,2026-09-0{1 + n % 9},Parent {n}" for n in range(len(ids)) for sis_id in [ids[n]]
        ]
    data = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    checked = services.consent_import_check(
        acting_user=world.director, district=world.district, file_name="bench.csv", data=data
    )
    check_seconds = time.perf_counter() - started
    assert checked.status == "previewed", checked.problems[:3]
    started = time.perf_counter()
    recorded = services.consent_import_apply(acting_user=world.director, consent_import=checked)
    apply_seconds = time.perf_counter() - started
    # Memory is traced on a second check of the same file (tracing slows Python down several times).
    tracemalloc.start()
    services.consent_import_check(acting_user=world.director, district=world.district, file_name="again.csv", data=data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows = len(lines) - 1
    print(
        f"  import of {rows:,} rows: check {rows / check_seconds:,.0f} rows/s ({check_seconds:.1f} s), "
        f"apply {recorded / apply_seconds:,.0f} rows/s ({apply_seconds:.1f} s), peak memory {peak / 2**20:.0f} MB"
    )
