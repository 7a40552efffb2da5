"""Telling one person one thing, exactly once, from any app.

The reminder log (the reminders app) is how the product mails people: a row per e-mail under a
unique key (kind, object, recipient, period), delivered by the dispatcher. An app below reminders
cannot import it, so it asks here; the reminders app registers the handler when Django starts
(reminders.apps). Call it inside the service's transaction: the row is claimed with the change that
causes it, and is sent after commit. Asking twice for the same key sends one e-mail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    kind: str  # a key of reminders.kinds.KINDS (its template, who and when)
    district_id: int
    recipient_id: int | None
    object_key: str  # what it is about, "<subject>:<id>" (reminders.emails.SUBJECTS)
    period: str  # which occurrence: the same key twice is one e-mail
    path: str  # the page to act on
    guardian_id: int | None = None  # a family instead of a staff member (recipient_id None)
    requested_by_id: int | None = None  # someone who asked for it at once (None: an action or the planner)


_handler: Callable[[Iterable[Notice]], int] | None = None


def register(handler: Callable[[Iterable[Notice]], int]) -> None:
    """The reminders app says how notices are claimed: it returns how many were new."""
    global _handler
    _handler = handler


def notify_many(notices: Iterable[Notice]) -> int:
    """Claims each e-mail (in batches: a whole district at once costs a few statements); returns how
    many were not already claimed. Raises if no app sends notices."""
    if _handler is None:
        raise RuntimeError("No notice handler: is the reminders app installed?")
    return _handler(notices)


def notify(notice: Notice) -> bool:
    """Claims one e-mail; True if it was not already claimed."""
    return notify_many([notice]) == 1


def notify_requester(
    *,
    kind: str,
    district_id: int,
    requester_id: int | None,
    acting_user_id: int,
    object_key: str,
    period: str,
    path: str,
) -> bool:
    """The person who asked hears the answer to their request, once. Nobody is told of their own decision."""
    if requester_id is None or requester_id == acting_user_id:
        return False
    return notify(Notice(kind, district_id, requester_id, object_key, period, path))
