"""Doing one thing to several rows of a list: which rows were chosen, what would happen to each,
and what did.

A list page posts its selection to a preview page (GET: nothing changes), which shows what will
change and what will be skipped and why; its confirm button posts the same selection back (POST,
CSRF), and the app's service runs the single action on each item, so each item meets the same
rules and leaves the same history entry as when it is done alone.

The selection is either the ids of the ticked rows (`pk`) or "everything matching this filter"
(`all=1` and the list's filter fields). The latter is carried as the filter, never as ids, and the
app re-reads it under the user's access every time (preview and confirm), so a row that left the
user's reach or the filter in between is not touched. Either way at most `LIMIT` items: past that
the user is asked to narrow the list.

An action is either all-or-nothing (one transaction: if any item is refused, nothing changes) or
each item on its own (a savepoint per item: the refused ones are listed, the others done). The
preview says which, in words the user reads before confirming.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.refusals import refusal_messages

T = TypeVar("T")
M = TypeVar("M", bound=Model)

LIMIT = 1000  # the most items one bulk action takes; the largest district narrows its list first
# Ticked rows come from one page of a list; their ids stay well under the request's field limit
# (DATA_UPLOAD_MAX_NUMBER_FIELDS). More rows than that are chosen as "all matching the filter".
MAX_TICKED = 500
MAX_ID_DIGITS = 12


class TooMany(ValidationError):
    """More items chosen than one bulk action takes."""

    def __init__(self, limit: int = LIMIT) -> None:
        super().__init__(
            ngettext(
                "At most %(limit)d item can be changed at once. Narrow the list with its filters and try again.",
                "At most %(limit)d items can be changed at once. Narrow the list with its filters and try again.",
                limit,
            )
            % {"limit": limit},
            code="too_many",
        )


@dataclass(frozen=True)
class Selection:
    """What the user chose on a list: ticked rows, or every row matching the list's filter."""

    ids: tuple[int, ...] = ()
    everything: bool = False
    filters: tuple[tuple[str, str], ...] = ()  # the list's filter fields, as the address carried them

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.ids

    def filter_data(self) -> QueryDict:
        """The list's filter as a QueryDict, for the app's FilterSet."""
        data = QueryDict(mutable=True)
        for name, value in self.filters:
            data.appendlist(name, value)
        return data

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The selection as (name, value) pairs for the confirm form, so it is posted back as it came."""
        pairs = [("all", "1")] if self.everything else [("pk", str(pk)) for pk in self.ids]
        return pairs + list(self.filters)

    def filter_query(self) -> str:
        return self.filter_data().urlencode()


def selection_from(data: QueryDict, filter_fields: Iterable[str]) -> Selection:
    """Read a selection from a request's GET or POST. Ids that are not whole numbers are dropped;
    more than MAX_TICKED ids is refused (TooMany)."""
    filters = tuple(
        (name, value) for name in filter_fields for value in data.getlist(name) if value != "" and len(value) <= 200
    )
    if data.get("all") == "1":
        return Selection(everything=True, filters=filters)
    ids: dict[int, None] = {}
    for value in data.getlist("pk"):
        if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS:
            ids[int(value)] = None
        if len(ids) > MAX_TICKED:
            raise TooMany(MAX_TICKED)
    return Selection(ids=tuple(ids), filters=filters)


def chosen(selection: Selection, *, matching: QuerySet[M], visible: QuerySet[M]) -> list[M]:
    """The items a selection names, read under the user's access: `matching` is the list as its
    filter leaves it (read when the selection is "all matching"), `visible` what the user may see (the
    ticked ids are looked for there). Refuses (TooMany) past LIMIT."""
    if selection.is_empty:
        return []
    queryset = matching if selection.everything else visible.filter(pk__in=selection.ids)
    items = list(queryset[: LIMIT + 1])
    if len(items) > LIMIT:
        raise TooMany()
    return items


# --- Preview: what would change, what would be skipped ------------------------------------------


@dataclass(frozen=True)
class Skipped(Generic[T]):
    item: T
    reason: str


@dataclass
class Preview(Generic[T]):
    ready: list[T] = field(default_factory=list)
    skipped: list[Skipped[T]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ready) + len(self.skipped)


def preview(items: Iterable[T], refusal: Callable[[T], str | None]) -> Preview[T]:
    """Sort the items into those the action would change and those it would skip, with the reason
    `refusal` gives (None: it would change). `refusal` reads what is already loaded: no query per item."""
    result: Preview[T] = Preview()
    for item in items:
        reason = refusal(item)
        if reason is None:
            result.ready.append(item)
        else:
            result.skipped.append(Skipped(item, reason))
    return result


# --- Running: each item through the app's single service -------------------------------------------


@dataclass
class Result(Generic[T]):
    """What a bulk action did. When all-or-nothing and something failed, `done` is empty and
    `held_back` holds the items that would have changed."""

    all_or_nothing: bool
    done: list[T] = field(default_factory=list)
    failed: list[Skipped[T]] = field(default_factory=list)
    held_back: list[T] = field(default_factory=list)

    @property
    def rolled_back(self) -> bool:
        return self.all_or_nothing and bool(self.failed)


def run(
    items: Iterable[T],
    action: Callable[[T], object],
    *,
    all_or_nothing: bool,
    refused: str | None = None,
    check: Callable[[T], str | None] | None = None,
) -> Result[T]:
    """Run `action` (the app's single service) on each item in a savepoint of its own. A refusal
    (ValidationError, or PermissionDenied, told as `refused`) is listed with its reason, and the
    other items go on. All-or-nothing: every item in one transaction, rolled back if any failed.
    `check` may refuse an item before the action runs (a rule only the bulk action has)."""
    result: Result[T] = Result(all_or_nothing=all_or_nothing)
    refused = refused or _("You may not do this to this item.")
    with transaction.atomic() if all_or_nothing else nullcontext():
        for item in items:
            reason = check(item) if check else None
            if reason is None:
                try:
                    with transaction.atomic():
                        action(item)
                except PermissionDenied:
                    reason = refused
                except ValidationError as error:
                    reason = " ".join(refusal_messages(error))
            if reason is None:
                result.done.append(item)
            else:
                result.failed.append(Skipped(item, reason))
        if result.rolled_back:
            transaction.set_rollback(True)
            result.held_back, result.done = result.done, []
    return result


def way_of(all_or_nothing: bool) -> str:
    """The sentence the preview page shows about how the action treats a refused item."""
    if all_or_nothing:
        return _("All or nothing: if any item is refused when you confirm, nothing is changed.")
    return _("Each item on its own: an item refused when you confirm is listed, and the others are still done.")
