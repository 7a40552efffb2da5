"""Read-side questions about the reminder log, for the director's page."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet

from accounts.models import District, User
from reminders.kinds import KINDS, KINDS_BY_KEY, sent_now_key
from reminders.models import PlanRun, Reminder


def log_of(district: District, *, kind: str = "", status: str = "") -> QuerySet[Reminder]:
    reminders = Reminder.objects.filter(district=district).select_related("recipient", "guardian", "requested_by")
    if kind in KINDS_BY_KEY:
        reminders = reminders.filter(kind=kind)
    if status:
        reminders = reminders.filter(status=status)
    return reminders.order_by("-planned_at", "-pk")


def totals_by_kind(district: District, since: datetime.datetime) -> list[dict[str, Any]]:
    """Per kind, in the order of the list: how many were sent, are waiting, were skipped or failed."""
    counted = (
        Reminder.objects.filter(district=district, planned_at__gte=since)
        .values("kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_kind: dict[str, Counter[str]] = {}
    for row in counted:
        by_kind.setdefault(row["kind"], Counter())[row["status"]] = row["n"]
    return [{"kind": kind, "counts": by_kind.get(kind.key, Counter[str]())} for kind in KINDS]


def last_plan_run() -> PlanRun | None:
    """The latest day the planner finished (planning covers every district at once)."""
    return PlanRun.objects.filter(finished_at__isnull=False).first()


def to_person(person: User, *, limit: int = 10) -> list[Reminder]:
    """The latest e-mails the log owes or sent to one staff member, newest first (one query)."""
    return list(
        Reminder.objects.filter(recipient=person).select_related("requested_by").order_by("-planned_at", "-pk")[:limit]
    )


def sent_now_today(person: User, today: datetime.date) -> Reminder | None:
    """Today's "Send now" to the person, if someone pressed it."""
    return Reminder.objects.filter(**sent_now_key(person, today)).first()
