"""A disclosure's story in plain words, read from the history tables: who did what, when."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from disclosures.models import DisclosedNetwork, Disclosure


@dataclass(frozen=True)
class Event:
    when: datetime.datetime
    who: str
    summary: str


def version_story(disclosure: Disclosure, *, limit: int = 100) -> list[Event]:
    """Newest first: every version of the employee's disclosure for the cycle and its networks."""
    records = list(
        Disclosure.history.filter(cycle_id=disclosure.cycle_id, employee_id=disclosure.employee_id)
        .exclude(history_change_reason__isnull=True)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    version_ids = {record.id for record in records}
    network_records = list(
        DisclosedNetwork.history.filter(disclosure_id__in=version_ids)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    version_of = {record.id: record.version for record in records}
    events = [
        Event(record.history_date, _who(record), f"Version {record.version}: {record.history_change_reason}")
        for record in records
    ]
    for record in network_records:
        what = "removed" if record.history_type == "-" else (record.history_change_reason or "changed").lower()
        version = version_of.get(record.disclosure_id, "?")
        events.append(Event(record.history_date, _who(record), f"Version {version}: “{record.name}” {what}"))
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:limit]


def _who(record: object) -> str:
    user = record.history_user  # type: ignore[attr-defined]
    if user is None:
        return "System"
    return user.full_name or user.email
