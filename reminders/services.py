"""Planning and sending reminders exactly once. See reminders.models for the protocol."""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts import access as accounts_access
from accounts.models import District, User
from core import bulk
from core.notify import Notice
from disclosures import access as disclosure_access
from disclosures import selectors as disclosure_selectors
from disclosures.models import DisclosureCycle
from reminders import delivery, emails, kinds
from reminders.kinds import KINDS, KINDS_BY_KEY, Kind, Owed, sent_now_items, sent_now_key
from reminders.models import PlanRun, Reminder, ReminderStatus

logger = logging.getLogger(__name__)

# Attempts before a reminder is marked as failed and left for a person to look at.
MAX_ATTEMPTS = 8
PLAN_BATCH = 2_000
# Reminders per send task: one claim and one mail-server connection serve them all.
SEND_BATCH = 100


def _send_lease() -> datetime.timedelta:
    """How long a sender holds a reminder before another may take it (a worker killed mid-send)."""
    return datetime.timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS)


def _queue_lease() -> datetime.timedelta:
    """How long a queued reminder waits for its sender before the dispatcher queues it again."""
    return datetime.timedelta(seconds=settings.REMINDER_QUEUE_LEASE_SECONDS)


@dataclass(frozen=True)
class PlannedItem:
    district: District
    kind: Kind
    owed: Owed


def owed_today(today: datetime.date, districts: Iterable[District] | None = None) -> Iterable[PlannedItem]:
    """Everything the policies owe today, kind by kind (nothing is written)."""
    for district in districts if districts is not None else District.objects.order_by("pk"):
        for kind in KINDS:
            if kind.find is None:
                continue  # claimed by the action it follows, not planned
            for owed in kind.find(district, today):
                yield PlannedItem(district, kind, owed)


def new_on(day: datetime.date, district: District) -> Counter[str]:
    """Per kind, how many reminders planning on `day` would add (the ones not already in the log)."""
    owed = {
        (i.kind.key, i.owed.object_key, i.owed.recipient_id, i.owed.guardian_id, i.owed.period)
        for i in owed_today(day, [district])
    }
    if not owed:
        return Counter()
    logged = set(
        Reminder.objects.filter(
            district=district, kind__in={key[0] for key in owed}, period__in={key[4] for key in owed}
        ).values_list("kind", "object_key", "recipient_id", "guardian_id", "period")
    )
    return Counter(key[0] for key in owed - logged)


def reminders_plan(*, today: datetime.date, districts: Iterable[District] | None = None) -> int:
    """Claims a log row for every reminder owed today; rows already claimed (by an earlier run, or
    by another planner at this moment) are left alone by the unique key. Returns how many rows the
    log gained while it ran (two planners at once both count the rows either of them added)."""
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
                guardian_id=item.owed.guardian_id,
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


def reminders_plan_day(*, today: datetime.date) -> PlanRun:
    """Plans every district for `today` and records that the day was planned."""
    run, _ = PlanRun.objects.get_or_create(day=today)
    added = reminders_plan(today=today)
    PlanRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), added=added)
    run.refresh_from_db()
    return run


def reminders_plan_due(*, now: datetime.datetime | None = None) -> PlanRun | None:
    """Plans today once the planning hour has come, unless today's planning already finished. The
    periodic task asks every few minutes, so a day is planned even when the broker or the beat was
    down at the planning hour. Two planners at once are harmless: the log's unique key decides."""
    now = timezone.localtime(now)
    today = now.date()
    if now.hour < settings.REMINDER_PLAN_HOUR or PlanRun.objects.filter(day=today, finished_at__isnull=False).exists():
        return None
    return reminders_plan_day(today=today)


def reminders_claim_notices(notices: Iterable[Notice]) -> int:
    """One-off e-mails actions owe (core.notify): their rows are claimed in the caller's transaction
    under the log's unique key, so a repeated action owes each once, and they are queued after
    commit. Returns how many rows the log gained."""
    from reminders.tasks import dispatch_soon

    added = 0
    batch: list[Reminder] = []

    def flush() -> None:
        nonlocal added
        keys = {(r.kind, r.object_key, r.recipient_id, r.period) for r in batch}
        before = Reminder.objects.filter(
            kind__in={k[0] for k in keys}, object_key__in={k[1] for k in keys}, period__in={k[3] for k in keys}
        ).count()
        with transaction.atomic():
            Reminder.objects.bulk_create(batch, ignore_conflicts=True)
        after = Reminder.objects.filter(
            kind__in={k[0] for k in keys}, object_key__in={k[1] for k in keys}, period__in={k[3] for k in keys}
        ).count()
        added += after - before
        batch.clear()

    for notice in notices:
        if notice.kind not in KINDS_BY_KEY:
            raise ValueError(f"{notice.kind!r} is not a reminder kind (reminders/kinds.py)")
        batch.append(
            Reminder(
                district_id=notice.district_id,
                kind=notice.kind,
                object_key=notice.object_key,
                recipient_id=notice.recipient_id,
                guardian_id=notice.guardian_id,
                period=notice.period,
                path=notice.path,
                requested_by_id=notice.requested_by_id,
            )
        )
        if len(batch) >= PLAN_BATCH:
            flush()
    if batch:
        flush()
    if added:
        # Sending sooner is a courtesy: the next tick sends them anyway, so a queue that cannot take
        # the task is logged and never undoes, or fails, the action that was just committed.
        transaction.on_commit(dispatch_soon, robust=True)
    return added


def _unheld(now: datetime.datetime) -> Q:
    """Unfinished rows that nobody holds: never queued, or the queue or sender holding them is gone."""
    return Q(status__in=[ReminderStatus.WAITING, ReminderStatus.SENDING]) & (
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def reminders_take_for_queue(*, limit: int | None = None) -> list[int]:
    """Takes the unfinished rows nobody holds, oldest first, for the dispatcher to put on the queue.
    Each is held by the queue for REMINDER_QUEUE_LEASE_SECONDS: if the queue loses it (a broker that
    restarted empty, a worker killed with it), the next dispatch takes it again."""
    now = timezone.now()
    holder = uuid.uuid4().hex
    unheld = Reminder.objects.filter(_unheld(now)).order_by("planned_at", "pk").values_list("pk", flat=True)
    ids = list(unheld[:limit] if limit else unheld)
    taken: list[int] = []
    for start in range(0, len(ids), PLAN_BATCH):
        chunk = ids[start : start + PLAN_BATCH]
        # A dead sender's row goes back to waiting, so the sender the queue hands it to may take it.
        Reminder.objects.filter(_unheld(now), pk__in=chunk).update(
            status=ReminderStatus.WAITING, lease_until=now + _queue_lease(), lease_holder=holder
        )
        taken += (
            Reminder.objects.filter(pk__in=chunk, lease_holder=holder)
            .order_by("planned_at", "pk")
            .values_list("pk", flat=True)
        )
    return taken


def unfinished(reminder_ids: list[int]) -> list[int]:
    return list(
        Reminder.objects.filter(
            pk__in=reminder_ids, status__in=[ReminderStatus.WAITING, ReminderStatus.SENDING]
        ).values_list("pk", flat=True)
    )


def reminders_release_from_queue(reminder_ids: list[int]) -> None:
    """The queue could not take these (the broker is down): let the next dispatch take them at once."""
    Reminder.objects.filter(pk__in=reminder_ids, status=ReminderStatus.WAITING).update(lease_until=None)


def reminders_claim(reminder_ids: list[int]) -> tuple[str, list[Reminder]]:
    """Takes the reminders this sender may send, with a lease and a holder token. One conditional
    UPDATE: of two senders given the same ids, each row goes to exactly one."""
    now = timezone.now()
    holder = uuid.uuid4().hex
    Reminder.objects.filter(
        Q(status=ReminderStatus.WAITING) | Q(status=ReminderStatus.SENDING, lease_until__lt=now),
        pk__in=reminder_ids,
    ).update(status=ReminderStatus.SENDING, lease_until=now + _send_lease(), lease_holder=holder)
    claimed = Reminder.objects.filter(pk__in=reminder_ids, lease_holder=holder, status=ReminderStatus.SENDING)
    return holder, list(claimed.select_related("district", "recipient", "guardian").order_by("planned_at", "pk"))


def _renew(holder: str) -> datetime.datetime:
    """Extends this sender's lease on the reminders it still holds; returns when to renew again."""
    now = timezone.now()
    Reminder.objects.filter(lease_holder=holder, status=ReminderStatus.SENDING).update(lease_until=now + _send_lease())
    return now + _send_lease() / 2


def reminder_claim(reminder_id: int) -> Reminder | None:
    """One reminder for this sender, or None when another sender holds it or it is finished."""
    _holder, claimed = reminders_claim([reminder_id])
    return claimed[0] if claimed else None


class SendFailed(Exception):
    """The mail server refused or could not be reached. `remaining` are the reminders of the batch
    still to send (the refused one first); they wait `retry_in` seconds for the next attempt."""

    def __init__(self, error: Exception, remaining: list[int], retry_in: int) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.remaining = remaining
        self.retry_in = retry_in


def retry_delay(attempts: int) -> int:
    """Seconds before attempt `attempts` + 1: REMINDER_RETRY_SECONDS, doubling, at most half an hour."""
    delay: int = settings.REMINDER_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return min(delay, 1_800)


@dataclass
class Delivered:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def _finish(reminder: Reminder, holder: str, status: str, error: str = "") -> None:
    """Ends a reminder this sender holds without sending it (nothing to say, or nobody to tell)."""
    Reminder.objects.filter(pk=reminder.pk, lease_holder=holder, status=ReminderStatus.SENDING).update(
        status=status, last_error=error[:500], lease_until=None, lease_holder=""
    )


# The one statement sent per message, written out: composing it through the ORM every time cost
# more than the rest of the handover (see the reminder benchmark).
_MARK_SENT = (
    f"UPDATE {Reminder._meta.db_table} SET status = %s, sent_at = %s, attempts = attempts + 1, "
    "lease_until = NULL, last_error = '' WHERE id = %s AND lease_holder = %s AND status = %s"
)


@contextlib.contextmanager
def _handover(reminder: Reminder, holder: str) -> Iterator[bool]:
    """Marks the reminder sent in a transaction that commits when the block ends (reminders.delivery
    writes the mail server's final "." inside it). Yields False when this sender no longer holds the
    reminder: then the message must not be sent."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_MARK_SENT, [ReminderStatus.SENT, timezone.now(), reminder.pk, holder, ReminderStatus.SENDING])
        yield cursor.rowcount == 1


@contextlib.contextmanager
def _quick_commits() -> Iterator[None]:
    """While a batch is sent, PostgreSQL acknowledges a commit before its log reaches the disk. A
    worker killed at any moment loses nothing by it; only a crash of the database server itself
    could forget the last fraction of a second of "sent", and those reminders would go out again."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _refused(reminder: Reminder, holder: str, error: Exception) -> bool:
    """Counts a refused attempt (undoing a handover the server then refused). True when the
    reminder is given up on, after MAX_ATTEMPTS."""
    attempts = reminder.attempts + 1
    give_up = attempts >= MAX_ATTEMPTS
    Reminder.objects.filter(pk=reminder.pk, lease_holder=holder).exclude(status=ReminderStatus.FAILED).update(
        status=ReminderStatus.FAILED if give_up else ReminderStatus.WAITING,
        sent_at=None,
        attempts=attempts,
        lease_until=None if give_up else timezone.now() + datetime.timedelta(seconds=retry_delay(attempts)),
        last_error=f"{type(error).__name__}: {error}"[:500],
    )
    logger.warning("Reminder %s not sent (attempt %s): %s", reminder.pk, attempts, error)
    return give_up


def _gone(reminder: Reminder) -> str:
    """Why a reminder can no longer reach its person (empty when it can)."""
    if reminder.recipient is not None:
        return "" if reminder.recipient.is_active else "The person has left the district."
    if reminder.guardian is None or not reminder.guardian.active:
        return "The family has left the district."
    return "" if reminder.guardian.email else "The family has no e-mail address."


def reminders_deliver(reminder_ids: list[int], today: datetime.date | None = None) -> Delivered:
    """Sends the reminders this sender can take, over one connection to the mail server.

    Raises SendFailed when the server refuses or cannot be reached: the refused reminder counts an
    attempt, and it and the rest of the batch wait for the retry (the task retries with backoff)."""
    holder, claimed = reminders_claim(reminder_ids)
    done = Delivered()
    if not claimed:
        return done
    today = today or timezone.localdate()
    subjects: dict[str, object | None] = {}
    position = 0
    renew_at = timezone.now() + _send_lease() / 2
    try:
        with _quick_commits(), delivery.Outbox() as outbox:
            for position, reminder in enumerate(claimed):  # noqa: B007 - the position is read on failure
                if timezone.now() > renew_at:
                    # A slow mail server: keep the rest of the batch, or another sender would take it.
                    renew_at = _renew(holder)
                gone = _gone(reminder)
                if gone:
                    _finish(reminder, holder, ReminderStatus.FAILED, gone)
                    done.failed += 1
                    continue
                if reminder.object_key not in subjects:
                    subjects[reminder.object_key] = emails.subject_of(reminder.object_key)
                try:
                    message = emails.render(reminder, today, subject=subjects[reminder.object_key])
                except Exception as error:  # a broken template: a person must look, retrying will not help
                    logger.exception("Reminder %s could not be written", reminder.pk)
                    _finish(reminder, holder, ReminderStatus.FAILED, f"{type(error).__name__}: {error}")
                    done.failed += 1
                    continue
                if message is None:
                    _finish(reminder, holder, ReminderStatus.SKIPPED)
                    done.skipped += 1
                    continue
                if outbox.send(message, handover=functools.partial(_handover, reminder, holder)):
                    done.sent += 1
            position = len(claimed)
    except Exception as error:  # refused, unreachable, timed out: at `position`, or when connecting
        failing = claimed[position] if position < len(claimed) else claimed[-1]
        _refused(failing, holder, error)
        rest = [reminder.pk for reminder in claimed[position + 1 :]]
        retry_in = retry_delay(failing.attempts + 1)
        # The rest of the batch was not tried; it waits for the same retry.
        Reminder.objects.filter(pk__in=rest, lease_holder=holder, status=ReminderStatus.SENDING).update(
            status=ReminderStatus.WAITING, lease_until=timezone.now() + datetime.timedelta(seconds=retry_in)
        )
        remaining = Reminder.objects.filter(pk__in=[failing.pk, *rest], status=ReminderStatus.WAITING)
        raise SendFailed(error, sorted(remaining.values_list("pk", flat=True)), retry_in) from error
    return done


def reminder_deliver(reminder_id: int) -> bool:
    """Sends one reminder if this sender can take it. True when it was sent by this call."""
    return reminders_deliver([reminder_id]).sent == 1


# --- "Send now": one person's reminder of what they owe, at a director's or principal's request ----


def reminder_send_now(*, acting_user: User, person: User, today: datetime.date | None = None) -> tuple[Reminder, bool]:
    """Claims today's reminder to `person` of what they owe and queues it after commit. Returns the log
    row and whether this call claimed it (False: already claimed today, sent or on its way)."""
    from core.tasks import enqueue
    from reminders.tasks import send_reminders

    if not accounts_access.can_remind(acting_user, person):
        raise PermissionDenied
    today = today or timezone.localdate()
    if sent_now_items(person, person, today) is None:
        raise ValidationError(
            _("%(person)s owes nothing right now: there is nothing to remind them of.") % {"person": person}
        )
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(
            **sent_now_key(person, today),
            defaults={"district_id": person.district_id, "path": reverse("home"), "requested_by": acting_user},
        )
        if created:
            # If the queue cannot take it now, the dispatcher's next tick sends the waiting row.
            transaction.on_commit(lambda: enqueue(send_reminders, [reminder.pk]), robust=True)
    return reminder, created


# --- Reminding several people now, from a disclosure cycle's tracking list (core.bulk) ------------
# Each person on their own: one already reminded is listed, the others are still reminded.
DISCLOSURE_REMIND_ALL_OR_NOTHING = False


def disclosure_remind_refusal(
    acting_user: User, cycle: DisclosureCycle, people: Sequence[User], today: datetime.date
) -> Callable[[User], str | None]:
    """Why each of `people` would not be reminded now (None: they would), read in three queries."""
    ids = [person.pk for person in people]
    owing = dict(disclosure_selectors.not_filed(cycle, today).filter(pk__in=ids).values_list("pk", "started_on"))
    followed = set(disclosure_access.trackable_staff(acting_user).filter(pk__in=ids).values_list("pk", flat=True))
    wanted = {pk: kinds.disclosure_reminder_now(cycle, started_on, today) for pk, started_on in owing.items()}
    claimed = set(
        Reminder.objects.filter(
            object_key=f"disclosure_cycle:{cycle.pk}",
            recipient_id__in=list(wanted),
            kind__in={kind for kind, _period in wanted.values()},
            period__in={period for _kind, period in wanted.values()},
        ).values_list("recipient_id", "kind", "period")
    )

    def refusal(person: User) -> str | None:
        if person.pk not in followed:
            return gettext("You may not remind this person.")
        if person.pk not in wanted:
            return gettext("Nothing is owed: they have filed, or need not file.")
        if (person.pk, *wanted[person.pk]) in claimed:
            return gettext("Already reminded for this step: the reminder log never sends it twice.")
        return None

    return refusal


def disclosure_remind_many(*, acting_user: User, cycle: DisclosureCycle, people: Sequence[User]) -> bulk.Result[User]:
    """Send each person the disclosure reminder they are due now, through the reminder log: the row is
    claimed under its unique key (the planner's own), so a repeat, by hand or by the planner, never
    sends it twice."""
    if not disclosure_access.can_manage_cycles(acting_user, cycle.district):
        raise PermissionDenied
    today = timezone.localdate()
    refusal = disclosure_remind_refusal(acting_user, cycle, people, today)
    owing = dict(
        disclosure_selectors.not_filed(cycle, today)
        .filter(pk__in=[person.pk for person in people])
        .values_list("pk", "started_on")
    )

    def remind(person: User) -> None:
        kind, period = kinds.disclosure_reminder_now(cycle, owing[person.pk], today)
        notice = Notice(
            kind=kind,
            district_id=cycle.district_id,
            recipient_id=person.pk,
            object_key=f"disclosure_cycle:{cycle.pk}",
            period=period,
            path=reverse("disclosures:home"),
            requested_by_id=acting_user.pk,
        )
        if not reminders_claim_notices([notice]):
            raise ValidationError(gettext("Already reminded for this step: the reminder log never sends it twice."))

    return bulk.run(
        people,
        remind,
        all_or_nothing=DISCLOSURE_REMIND_ALL_OR_NOTHING,
        refused=gettext("You may not remind this person."),
        check=refusal,
    )
