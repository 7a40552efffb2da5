"""Celery tasks take ids and call a service. The daily planner claims rows, then hands each one to
its own send task; a send task retries with backoff while the mail server refuses."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reminders import services


@shared_task(acks_late=True)
def plan_reminders() -> int:
    services.reminders_plan(today=timezone.localdate())
    ids = services.waiting_ids()
    for reminder_id in ids:
        send_reminder.delay(reminder_id)
    return len(ids)


@shared_task(
    acks_late=True,
    autoretry_for=(services.SendFailed,),
    retry_backoff=30,
    retry_backoff_max=3_600,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS,
)
def send_reminder(reminder_id: int) -> bool:
    return services.reminder_deliver(reminder_id)
