"""Every reminder the product sends: who is told, when, and with which template. One list, read
by the planner, the dry run and the director's page. Timing comes from each district's policy."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.urls import reverse

from accounts.models import District
from disclosures import selectors as disclosure_selectors
from disclosures.access import enabled as disclosures_enabled
from disclosures.models import DisclosureCycle


@dataclass(frozen=True)
class Owed:
    """One e-mail the planner owes: to whom, about what, for which period, and where to act."""

    recipient_id: int
    object_key: str
    period: str
    path: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    who: str
    when: str
    template: str
    find: Callable[[District, datetime.date], Iterator[Owed]]


def _open_cycle(district: District, today: datetime.date) -> DisclosureCycle | None:
    if not disclosures_enabled(district):
        return None
    cycle = disclosure_selectors.cycle_for_year(district, today)
    if cycle is None or cycle.opens_on > today:
        return None
    return cycle


def _cycle_context(cycle: DisclosureCycle) -> dict:
    return {"cycle_id": cycle.pk}


def disclosure_due_soon(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per school year, the policy's number of days before each person's own due date."""
    cycle = _open_cycle(district, today)
    if cycle is None or district.reminder_days_before_due == 0:
        return
    first, last = today + datetime.timedelta(days=1), today + datetime.timedelta(days=district.reminder_days_before_due)
    staff = disclosure_selectors.not_filed(cycle, today).filter(cycle.due_between_q(first, last))
    for person_id in staff.values_list("pk", flat=True).iterator():
        yield Owed(person_id, f"disclosure_cycle:{cycle.pk}", f"{cycle.school_year_start}", reverse("disclosures:home"),
                   _cycle_context(cycle))  # fmt: skip


def disclosure_due_today(district: District, today: datetime.date) -> Iterator[Owed]:
    cycle = _open_cycle(district, today)
    if cycle is None:
        return
    staff = disclosure_selectors.due_within(cycle, today, 0)
    for person_id in staff.values_list("pk", flat=True).iterator():
        yield Owed(person_id, f"disclosure_cycle:{cycle.pk}", f"{cycle.school_year_start}", reverse("disclosures:home"),
                   _cycle_context(cycle))  # fmt: skip


def disclosure_late(district: District, today: datetime.date) -> Iterator[Owed]:
    """The day after each person's due date, then again every interval the policy sets."""
    cycle = _open_cycle(district, today)
    if cycle is None:
        return
    interval = district.overdue_reminder_interval_days
    for person_id, started_on in disclosure_selectors.late(cycle, today).values_list("pk", "started_on").iterator():
        days_late = (today - cycle.due_on_for(started_on)).days
        if days_late >= 1:
            round_number = (days_late - 1) // interval
            yield Owed(person_id, f"disclosure_cycle:{cycle.pk}", f"{cycle.school_year_start}-late-{round_number}",
                       reverse("disclosures:home"), _cycle_context(cycle))  # fmt: skip


def disclosure_returned(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per returned version, to the employee who must revise it."""
    cycle = _open_cycle(district, today)
    if cycle is None:
        return
    returned = disclosure_selectors.returned_to_employee(cycle).values_list("pk", "employee_id")
    for disclosure_id, employee_id in returned.iterator():
        yield Owed(employee_id, f"disclosure:{disclosure_id}", "returned",
                   reverse("disclosures:detail", args=[disclosure_id]), {"disclosure_id": disclosure_id})  # fmt: skip


KINDS: list[Kind] = [
    Kind(
        "disclosure_due_soon",
        "Disclosure due soon",
        "Each employee who must file and has not",
        "The policy's number of days before their due date, once a school year",
        "disclosure_due_soon",
        disclosure_due_soon,
    ),
    Kind(
        "disclosure_due_today",
        "Disclosure due today",
        "Each employee who must file and has not",
        "On their due date",
        "disclosure_due_today",
        disclosure_due_today,
    ),
    Kind(
        "disclosure_late",
        "Disclosure late",
        "Each employee whose disclosure is late",
        "The day after their due date, then every interval the policy sets until they file",
        "disclosure_late",
        disclosure_late,
    ),
    Kind(
        "disclosure_returned",
        "Disclosure returned for changes",
        "The employee whose disclosure a reviewer returned",
        "Once, the day after it is returned",
        "disclosure_returned",
        disclosure_returned,
    ),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}
