"""Benchmark: the day's disclosure reminders for the largest US district, planned and delivered.

Run by `make bench` (never by a normal test run). With 150,000 staff who have not filed and are due
within the reminder window (BENCH_SCALE scales them), it prints:

- the planner: rows per second and peak memory, planning the day in this process;
- the pipeline: the periodic task queues the reminders in batches on a real Redis, a real Celery
  worker (prefork, BENCH_WORKERS processes, default 2) sends them to an SMTP sink process: messages
  per second from the first task to the last message, and duplicates (there must be none);
- a plain loop writing the same messages and sending them over one reused SMTP connection, to the
  same sink: messages per second, and the pipeline's rate as a share of it (the target is 0.5).
"""

from __future__ import annotations

import datetime
import os
import resource
import time

import pytest
import time_machine
from django.core.mail import get_connection
from django.db import connection

from accounts.models import Membership, Role, User
from reminders import emails, services
from reminders.models import Reminder, ReminderStatus
from tests.disclosures.conftest import open_cycle
from tests.real_services import duplicates, mark_today_planned, wait_until

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
STAFF = int(150_000 * SCALE)
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
BATCH = 5_000
PLANNED_ON = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)


def _staff_due_soon(world) -> None:
    with time_machine.travel(PLANNED_ON, tick=False):
        open_cycle(world, reminder_days_before_due=14)  # due December 1: ten days after planning
    for start in range(0, STAFF, BATCH):
        people = User.objects.bulk_create(
            User(email=f"bench{n}@north.example.org", first_name=f"First{n}", last_name=f"Last{n:06d}",
                 district=world.district, password="!")
            for n in range(start, min(start + BATCH, STAFF))
        )  # fmt: skip
        Membership.objects.bulk_create(
            Membership(user=person, district=world.district, school=world.school, role=Role.STAFF) for person in people
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_day_of_disclosure_reminders_for_the_largest_district(world, worker, smtp_sink, beat):
    _staff_due_soon(world)
    mark_today_planned()  # the worker must not plan the real day on top of the bench's
    print(f"\n{STAFF:,} staff due within the reminder window, on {connection.vendor}, {WORKERS} worker processes")

    started = time.perf_counter()
    with time_machine.travel(PLANNED_ON, tick=False):
        added = services.reminders_plan(today=PLANNED_ON.date())
    planning = time.perf_counter() - started
    owed = Reminder.objects.filter(kind="disclosure_due_soon").count()
    assert added == owed >= STAFF
    print(f"  planner          {added:,} reminders in {planning:6.1f} s   {added / planning:8,.0f} rows/s   "
          f"peak memory {_peak_mb():,.0f} MB")  # fmt: skip

    worker.concurrency = WORKERS
    worker.start()
    started = time.perf_counter()
    beat()
    wait_until(lambda: smtp_sink.count() >= added, 3_600, "every message", every=1.0)
    pipeline = time.perf_counter() - started
    arrived = smtp_sink.message_ids()
    doubled = duplicates(arrived)
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == added
    print(f"  pipeline         {len(arrived):,} messages in {pipeline:6.1f} s   {added / pipeline:8,.0f} messages/s   "
          f"{len(doubled)} duplicates")  # fmt: skip
    worker.stop()

    smtp_sink.clear()
    reminders = Reminder.objects.select_related("district", "recipient").order_by("pk")
    subjects: dict[str, object] = {}
    started = time.perf_counter()
    with get_connection(
        backend="django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=smtp_sink.port, timeout=5
    ) as mail_server:
        for reminder in reminders.iterator(chunk_size=2_000):
            if reminder.object_key not in subjects:
                subjects[reminder.object_key] = emails.subject_of(reminder.object_key)
            mail_server.send_messages(
                [emails.render(reminder, PLANNED_ON.date(), subject=subjects[reminder.object_key])]
            )
    loop = time.perf_counter() - started
    wait_until(lambda: smtp_sink.count() >= added, 60, "the loop's messages")
    print(f"  plain loop       {added:,} messages in {loop:6.1f} s   {added / loop:8,.0f} messages/s   "
          f"(writes each message, one SMTP connection, no queue and no log)")  # fmt: skip
    ratio = loop / pipeline
    print(f"  pipeline / loop  {ratio:.2f} (target at least 0.50)")
    assert doubled == {}
