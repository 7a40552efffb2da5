"""Planning and sending reminders exactly once. See reminders.models for the protocol."""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import District
from reminders import emails
from reminders.kinds import KINDS, Kind, Owed
from reminders.models import Reminder, ReminderStatus

logger = logging.getLogger(__name__)

# How long a sender may hold a reminder before another may take it (a worker killed mid-send).
LEASE = datetime.timedelta(minutes=5)
# Attempts before a reminder is marked as failed and left for a person to look at.
MAX_ATTEMPTS = 8
PLAN_BATCH = 2_000


@dataclass(frozen=True)
class PlannedItem:
    district: District
    kind: Kind
    owed: Owed


def owed_today(today: datetime.date, districts: Iterable[District] | None = None) -> Iterable[PlannedItem]:
    """Everything the policies owe today, kind by kind (nothing is written)."""
    for district in districts if districts is not None else District.objects.order_by("pk"):
        for kind in KINDS:
            for owed in kind.find(district, today):
                yield PlannedItem(district, kind, owed)


def new_on(day: datetime.date, district: District) -> Counter:
    """Per kind, how many reminders planning on `day` would add (the ones not already in the log)."""
    owed = {(i.kind.key, i.owed.object_key, i.owed.recipient_id, i.owed.period) for i in owed_today(day, [district])}
    if not owed:
        return Counter()
    logged = set(
        Reminder.objects.filter(
            district=district, kind__in={key[0] for key in owed}, period__in={key[3] for key in owed}
        ).values_list("kind", "object_key", "recipient_id", "period")
    )
    return Counter(key[0] for key in owed - logged)


def reminders_plan(*, today: datetime.date, districts: Iterable[District] | None = None) -> int:
    """Claims a log row for every reminder owed today; rows already claimed (by an earlier run, or
    by another planner at this moment) are left alone by the unique key. Returns rows added."""
    batch: list[Reminder] = []

    def flush() -> None:
        with transaction.atomic():
            Reminder.objects.bulk_create(batch, ignore_conflicts=True)
        batch.clear()

    before = Reminder.objects.count()
    for item in owed_today(today, districts):
        batch.append(
            Reminder(
                district=item.district,
                kind=item.kind.key,
                object_key=item.owed.object_key,
                recipient_id=item.owed.recipient_id,
                period=item.owed.period,
                path=item.owed.path,
            )
        )
        if len(batch) >= PLAN_BATCH:
            flush()
    if batch:
        flush()
    # bulk_create with ignore_conflicts cannot say which rows it inserted; the table can.
    added = Reminder.objects.count() - before
    return max(added, 0)


def waiting_ids(limit: int | None = None) -> list[int]:
    """Reminders to hand to senders: waiting ones, and ones whose sender's lease ran out."""
    now = timezone.now()
    rows = Reminder.objects.filter(
        Q(status=ReminderStatus.WAITING) | Q(status=ReminderStatus.SENDING, sending_until__lt=now)
    ).order_by("planned_at", "pk")
    ids = rows.values_list("pk", flat=True)
    return list(ids[:limit] if limit else ids)


def reminder_claim(reminder_id: int) -> Reminder | None:
    """Takes the reminder for this sender, or returns None when another sender has it or it is sent.
    One conditional UPDATE: of two senders, exactly one changes the row."""
    now = timezone.now()
    taken = Reminder.objects.filter(
        Q(status=ReminderStatus.WAITING) | Q(status=ReminderStatus.SENDING, sending_until__lt=now),
        pk=reminder_id,
    ).update(status=ReminderStatus.SENDING, sending_until=now + LEASE, attempts=F("attempts") + 1)
    if not taken:
        return None
    return Reminder.objects.select_related("district", "recipient").get(pk=reminder_id)


class SendFailed(Exception):
    """The mail server refused or could not be reached; the reminder waits for the next attempt."""


def reminder_deliver(reminder_id: int) -> bool:
    """Sends one reminder if this sender can take it. True when it was sent by this call."""
    reminder = reminder_claim(reminder_id)
    if reminder is None:
        return False
    if not reminder.recipient.is_active:
        Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING).update(
            status=ReminderStatus.FAILED, last_error="The person has left the district.", sending_until=None
        )
        return False
    try:
        message = emails.render(reminder)
        if message is None:
            Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING).update(
                status=ReminderStatus.SKIPPED, sending_until=None
            )
            return False
        message.send()
    except Exception as error:  # an SMTP error, a refused connection, a timeout
        give_up = reminder.attempts >= MAX_ATTEMPTS
        Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING).update(
            status=ReminderStatus.FAILED if give_up else ReminderStatus.WAITING,
            sending_until=None,
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.warning("Reminder %s not sent (attempt %s): %s", reminder.pk, reminder.attempts, error)
        raise SendFailed(str(error)) from error
    Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING).update(
        status=ReminderStatus.SENT, sent_at=timezone.now(), sending_until=None, last_error=""
    )
    return True
