"""Reminders through the real parts: a Celery worker process, Redis as the broker and an SMTP server,
all on loopback. Whatever happens to them, every reminder arrives exactly once."""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accounts.models import RosterImport, RosterImportStatus, User
from accounts.services import roster_imports_stalled
from config.celery import app as celery_app
from reminders import services, tasks
from reminders.models import Reminder, ReminderStatus
from tests.accounts.bundles import write_bundle
from tests.disclosures.conftest import open_cycle
from tests.real_services import Worker, duplicates, mark_today_planned, require, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def owed_reminders(world, count: int) -> list[Reminder]:
    """`count` disclosure reminders waiting to be sent, as the planner leaves them."""
    cycle = open_cycle(world)
    people = User.objects.bulk_create(
        User(email=f"teacher{n}@north.example.org", first_name=f"Teacher{n}", district=world.district, password="!")
        for n in range(count)
    )
    reminders = Reminder.objects.bulk_create(
        Reminder(
            district=world.district,
            kind="disclosure_due_soon",
            object_key=f"disclosure_cycle:{cycle.pk}",
            recipient=person,
            period="2026",
            path=reverse("disclosures:home"),
        )
        for person in people
    )
    mark_today_planned()
    return reminders


def all_sent() -> bool:
    return not Reminder.objects.exclude(status=ReminderStatus.SENT).exists()


def assert_each_arrived_once(sink, reminders: list[Reminder]) -> None:
    arrived = sink.message_ids()
    never = {reminder.message_id for reminder in reminders} - set(arrived)
    assert duplicates(arrived) == {}
    assert never == set(), f"logged as sent, never arrived: {sorted(never)}"
    assert len(arrived) == len(reminders)
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == len(reminders)


def tick_until_all_sent(beat, timeout: float) -> None:
    """Beat's periodic task, every second instead of every ten minutes, until the log is all sent."""

    def done() -> bool:
        if all_sent():
            return True
        beat()
        return False

    wait_until(done, timeout, "every reminder to be sent", every=1.0)


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_doubles_nothing(world, worker, smtp_sink, beat):
    reminders = owed_reminders(world, 600)
    smtp_sink.stop()
    smtp_sink.reply_after = 0.005  # a server that takes a moment, so the kill lands mid-batch
    smtp_sink.start()
    worker.start()
    beat()
    wait_until(lambda: smtp_sink.count() >= 150, 60, "the first messages")
    worker.kill()
    at_kill = smtp_sink.count()
    assert at_kill < len(reminders), "the worker finished before it could be killed"
    assert Reminder.objects.filter(status=ReminderStatus.SENDING).exists()  # it died holding some
    worker.start()
    tick_until_all_sent(beat, timeout=90)
    assert_each_arrived_once(smtp_sink, reminders)


def test_two_planners_at_once_owe_each_reminder_once(world, south_asks_for_no_disclosures):
    require(connection.vendor == "postgresql", "DATABASE_URL pointing at PostgreSQL (planners in two connections)")
    open_cycle(world)
    planned_on = datetime.date(2026, 11, 21)
    start = threading.Barrier(2)

    def plan() -> int:
        try:
            start.wait()
            return services.reminders_plan(today=planned_on)
        finally:
            connection.close()

    with (
        time_machine.travel(datetime.datetime(2026, 11, 21, 15, tzinfo=datetime.UTC)),
        ThreadPoolExecutor(2) as planners,
    ):
        for planner in [planners.submit(plan), planners.submit(plan)]:
            planner.result()  # neither fails on the rows the other added
    assert Reminder.objects.count() == 7


def test_two_workers_and_two_dispatchers_on_one_queue_send_each_reminder_once(
    world, worker, worker_environment, services_directory, smtp_sink, beat
):
    reminders = owed_reminders(world, 400)
    other = Worker(services_directory, worker_environment, name="other")
    worker.start()
    other.start()
    try:
        beat()
        beat()
        tick_until_all_sent(beat, timeout=90)
    finally:
        other.stop()
    assert_each_arrived_once(smtp_sink, reminders)


def test_a_mail_server_refusing_for_a_while_loses_and_doubles_nothing(world, worker, smtp_sink, beat):
    reminders = owed_reminders(world, 250)
    smtp_sink.refuse(True)
    worker.start()
    beat()
    wait_until(
        lambda: Reminder.objects.filter(attempts__gte=2, last_error__contains="451").exists(), 60, "two refusals"
    )
    assert smtp_sink.count() == 0
    smtp_sink.refuse(False)
    tick_until_all_sent(beat, timeout=90)
    assert_each_arrived_once(smtp_sink, reminders)


@pytest.fixture
def broker_of_this_process(redis_server, settings):
    """This process (the web server in the test) uses the test's Redis as its broker and cache."""
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = redis_server.url, False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url}
    }
    yield
    celery_app.pool.force_close_all()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


def test_with_redis_down_pages_work_and_reminders_go_out_once_it_is_back(
    world, worker, smtp_sink, beat, redis_server, broker_of_this_process, client, tmp_path
):
    reminders = owed_reminders(world, 120)
    worker.start()
    redis_server.stop()

    client.force_login(world.director)
    for page in (reverse("home"), reverse("reminders:log", args=[world.district.slug])):
        assert client.get(page).status_code == 200
    # An upload queues its import after the commit: with the broker down it waits, and says so.
    bundle = SimpleUploadedFile("export.zip", write_bundle(tmp_path, as_zip=True).read_bytes())
    response = client.post(reverse("roster_import_list", args=[world.district.slug]), {"bundle": bundle})
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and client.get(response["Location"]).status_code == 200
    assert roster_import.status == RosterImportStatus.QUEUED
    assert roster_imports_stalled(older_than=datetime.timedelta(0)) == [roster_import.pk]
    # Beat's task run by hand while the broker is down: it plans, cannot queue, and lets go.
    assert tasks.plan_reminders() == 0
    assert Reminder.objects.filter(status=ReminderStatus.WAITING, lease_until__isnull=True).count() == 120
    assert smtp_sink.count() == 0

    redis_server.start()  # empty: whatever it held is gone
    tick_until_all_sent(beat, timeout=90)
    assert_each_arrived_once(smtp_sink, reminders)
