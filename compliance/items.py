"""One thing a person owes: what to do, why, by when, how urgent, and the page that does it."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


class Urgency(enum.IntEnum):
    URGENT = 0  # a rule is broken now (a deadline passed, a protection missing)
    SOON = 1  # due within the policy's reminder window, or someone is waiting on the reader
    LATER = 2  # known and dated, nothing to do yet but plan

    @property
    def label(self) -> str:
        return str((_("Urgent"), _("Soon"), _("Later"))[self])

    @property
    def css(self) -> str:
        return ("urgent", "soon", "later")[self]


@dataclass(frozen=True)
class Item:
    """One line of a person's list. `key` names the obligation (one definition each, in
    compliance.obligations); `count` how many things it covers; `url` where the reader does it."""

    key: str
    urgency: Urgency
    title: str
    detail: str
    url: str
    count: int = 1
    due_on: datetime.date | None = None
    # Where it stands, for something that waits on someone else (a request: "Waiting", "Approved"):
    # shown instead of the urgency, and not counted among what the reader must do.
    status: str = ""

    @property
    def to_do(self) -> bool:
        return not self.status

    def sort_key(self) -> tuple[int, datetime.date, int, str]:
        return (self.urgency, self.due_on or datetime.date.max, -self.count, self.title)


@dataclass(frozen=True)
class Checked:
    """What an empty list was checked against, and the next date something falls due."""

    what: str
    next_due_on: datetime.date | None = None
    next_due: str = ""


@dataclass(frozen=True)
class OwedList:
    """A person's list: the items, most urgent first, and what was checked to find them."""

    items: list[Item]
    checked: list[Checked] = field(default_factory=list)

    @property
    def next_due(self) -> Checked | None:
        dated = [c for c in self.checked if c.next_due_on is not None]
        return min(dated, key=lambda c: c.next_due_on or datetime.date.max) if dated else None


def ordered(items: list[Item]) -> list[Item]:
    return sorted(items, key=Item.sort_key)
