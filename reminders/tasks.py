"""Celery tasks take ids and call a service. Every few minutes the periodic task plans the day (once)
and puts every unfinished reminder nobody holds on the queue, in batches; a send task sends one batch
over one mail-server connection and, while the server refuses, retries with backoff."""

from __future__ import annotations

from celery import shared_task
from celery.app.task import Task

from core.tasks import enqueue
from reminders import services


def dispatch() -> int:
    """Queues what is waiting, a batch per task. With the broker down, the rows are let go at once
    and the next tick queues them: nothing is lost, and the web pages never wait on the broker."""
    ids = services.reminders_take_for_queue()
    for start in range(0, len(ids), services.SEND_BATCH):
        if not enqueue(send_reminders, ids[start : start + services.SEND_BATCH]):
            services.reminders_release_from_queue(ids[start:])
            return start
    return len(ids)


@shared_task(acks_late=True)
def dispatch_reminders() -> int:
    return dispatch()


def dispatch_soon() -> None:
    """A notice claimed by an action goes out now rather than at the next tick (which would send
    it anyway if the broker is down now)."""
    enqueue(dispatch_reminders)


@shared_task(acks_late=True)
def plan_reminders() -> int:
    services.reminders_plan_due()
    return dispatch()


@shared_task(bind=True, acks_late=True, max_retries=services.MAX_ATTEMPTS)
def send_reminders(self: Task[[list[int]], int], reminder_ids: list[int]) -> int:
    try:
        return services.reminders_deliver(reminder_ids).sent
    except services.SendFailed as failure:
        if not failure.remaining or self.request.is_eager:
            # In-process (the demo) there is no worker to wait in: the next tick retries.
            return 0
        # If the retry cannot be queued either, the rows' leases run out and the next tick takes them.
        raise self.retry(args=(failure.remaining,), countdown=failure.retry_in, exc=failure) from failure
