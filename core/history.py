"""Who changed what and when, read from the history tables, for every audited object alike.

An object's page and the district's audit log ask the same question of one or more history
tables (a "source" each: the model, which rows, and how to name the object). Each history row
comes back as an `Entry`: when, who, created / changed / deleted, what (kind, name, school) and
each field's old and new value in words, newest first.

The row before each one (to say what changed) is read by the same query with a window function,
the names foreign keys point at by subqueries, and the person who acted by a join: an object's
history or a whole export costs one query per source, a page of a period two, however many rows
they hold.
"""

from __future__ import annotations

import datetime
import functools
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Max, OuterRef, Q, Subquery, Value, Window
from django.db.models.expressions import Combinable, RowRange
from django.db.models.functions import Coalesce, Concat, Lag, NullIf, Trim
from django.http import HttpRequest
from django.utils import formats, timezone

from core import pagination

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
ACTION_LABELS = {"created": "Created", "changed": "Changed", "deleted": "Deleted"}
# Bookkeeping columns nobody needs to read as a change (the entry already says who and when).
QUIET_BY_DEFAULT = frozenset({"district", "created_at", "updated_at"})
PER_PAGE = 20
MAX_PAGE = 500  # a deeper page reads too many rows; the district's export holds everything

_ROW_ORDER = (F("history_date").asc(), F("history_id").asc())


def history_manager(model: type[models.Model]) -> Any:
    """The manager django-simple-history adds to a tracked model as `history` (untyped)."""
    return model.history  # type: ignore[attr-defined]  # added by HistoricalRecords, unseen by django-stubs


def related(model: type[models.Model], key: str, value: str | Combinable) -> Subquery:
    """A value of the row the column `key` points at. Read by a subquery, not a join: history rows
    keep pointing at rows deleted since, and a join Django believes safe to make inner drops them."""
    expression = F(value) if isinstance(value, str) else value
    return Subquery(model._default_manager.filter(pk=OuterRef(key)).values(audit_value=expression)[:1])


def recorded(model: type[models.Model], key: str, value: str | Combinable) -> Subquery:
    """Like `related`, read from the pointed-at object's latest history row: still there when the
    object itself was deleted (a discarded draft, an account an operator removed)."""
    expression = F(value) if isinstance(value, str) else value
    rows = history_manager(model).filter(id=OuterRef(key)).order_by("-history_id")
    return Subquery(rows.values(audit_value=expression)[:1])


def full_name(prefix: str = "") -> Combinable:
    """A user's name as the pages write it (the e-mail when no name is on file)."""
    name = Trim(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name")))
    return Coalesce(NullIf(name, Value("")), F(f"{prefix}email"), output_field=models.CharField())


def person(key: str) -> Subquery:
    """The name of the user the column `key` points at."""
    return related(get_user_model(), key, full_name())


def target_model(model_field: models.ForeignKey[Any, Any]) -> type[models.Model]:
    """The model a foreign key points at ("self": the model that declares it)."""
    target = model_field.related_model
    return model_field.model if target == "self" else target


def label_expression(model_field: models.ForeignKey[Any, Any]) -> Combinable | None:
    """How to name the object a foreign key points at, or None to show its number."""
    target = target_model(model_field)
    if target is get_user_model():
        return person(model_field.attname)
    names = {f.name for f in target._meta.concrete_fields}
    for candidate in ("display_name", "name", "title"):
        if candidate in names:
            return related(target, model_field.attname, candidate)
    return None


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str
    initial: bool = False  # a value the object was created with

    def __str__(self) -> str:
        if self.initial:
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    who_email: str
    action: str  # created, changed or deleted
    kind: str
    name: str
    school: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    summary: str = ""
    # Orders entries of several sources written in the same instant.
    order: tuple[int, int] = (0, 0)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]

    def changed(self, name: str) -> Change | None:
        return next((change for change in self.changes if change.field == name), None)

    def changes_text(self) -> str:
        return "; ".join(str(change) for change in self.changes)


@dataclass(frozen=True)
class Source:
    """One history table read for a page or the audit log.

    `rows` filters the historical model (its columns are the live model's, plus history_*);
    `labels` are extra annotations `name` and `school` read (see `related` and `recorded`);
    `describe` words the entry's summary; `displays` words a field's value.
    """

    model: type[models.Model]
    rows: Q
    kind: str
    name: Callable[[Any], str] | None = None
    school: Callable[[Any], str] | None = None
    labels: Mapping[str, Combinable] = field(default_factory=dict)
    quiet: frozenset[str] = QUIET_BY_DEFAULT
    fk_labels: Mapping[str, Combinable] = field(default_factory=dict)
    displays: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    describe: Callable[[Entry, Any], str] | None = None

    @property
    def history_model(self) -> type[models.Model]:
        model: type[models.Model] = history_manager(self.model).model
        return model

    @functools.cached_property
    def tracked_fields(self) -> list[models.Field[Any, Any]]:
        kept = {f.name for f in self.history_model._meta.concrete_fields}
        return [
            f
            for f in self.model._meta.concrete_fields
            if f.name in kept and not f.primary_key and f.name not in self.quiet
        ]

    def fk_label(self, model_field: models.Field[Any, Any]) -> Combinable | None:
        if model_field.name in self.fk_labels:
            return self.fk_labels[model_field.name]
        # A tracked relation is concrete: a foreign key (or one-to-one, a foreign key too).
        return label_expression(model_field) if isinstance(model_field, models.ForeignKey) else None


# --- Reading ------------------------------------------------------------------------------------


def _window(expression: Combinable | str) -> Window:
    # Lag takes any expression; django-stubs 5.2 types its argument as a column name only.
    return Window(Lag(expression), partition_by=[F("id")], order_by=list(_ROW_ORDER))  # type: ignore[arg-type]


def _annotated(source: Source, rows: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Each history row with the values of the row before it (a window over the object's rows),
    the names its foreign keys point at (subqueries) and the person who acted (a join), newest first."""
    annotations: dict[str, Any] = {"audit_previous_id": _window("history_id")}
    for model_field in source.tracked_fields:
        annotations[f"audit_previous_{model_field.attname}"] = _window(model_field.attname)
        if model_field.is_relation:
            label = source.fk_label(model_field)
            if label is not None:
                annotations[f"audit_label_{model_field.name}"] = label
                annotations[f"audit_previous_label_{model_field.name}"] = _window(label)
    rows = rows.annotate(**source.labels, **annotations)
    return rows.select_related("history_user").order_by("-history_date", "-history_id")


def _own(column: str) -> Window:
    """The row's own value as a window expression: a filter on it applies after the windows, so
    the rows it leaves out are still read as the row before another one."""
    return Window(Max(column), partition_by=[F("id")], order_by=list(_ROW_ORDER), frame=RowRange(0, 0))


def _rows(source: Source) -> models.QuerySet[Any]:
    return _annotated(source, source.history_model._default_manager.filter(source.rows))


def _period_rows(source: Source, since: datetime.datetime, until: datetime.datetime) -> models.QuerySet[Any]:
    """Every row written in the period: the objects changed in it are read whole (the row before
    the period's first says what that one changed), then the period is applied."""
    history = source.history_model
    touched = history._default_manager.filter(source.rows, history_date__gte=since, history_date__lt=until)
    rows = history._default_manager.filter(source.rows, id__in=touched.values("id"), history_date__lt=until)
    period: models.QuerySet[Any] = _annotated(source, rows).annotate(audit_at=_own("history_date"))
    return period.filter(audit_at__gte=since)


def _newest_period_rows(
    source: Source, since: datetime.datetime, until: datetime.datetime, wanted: int, *, oldest_first: bool = False
) -> list[Any]:
    """The period's newest `wanted` rows (its oldest, `oldest_first`): picked by their date first
    (an index), then only their objects' rows are read for what changed. Two queries, however long
    the period."""
    history = source.history_model
    order = ("history_date", "history_id") if oldest_first else ("-history_date", "-history_id")
    picked = list(
        history._default_manager.filter(source.rows, history_date__gte=since, history_date__lt=until)
        .order_by(*order)
        .values_list("history_id", "id")[:wanted]
    )
    if not picked:
        return []
    rows = history._default_manager.filter(source.rows, id__in={object_id for _, object_id in picked})
    rows = _annotated(source, rows).annotate(audit_row=_own("history_id"))
    return list(rows.filter(audit_row__in=[history_id for history_id, _ in picked]))


def _display(source: Source, model_field: models.Field[Any, Any], value: object, label: object) -> str:
    if model_field.name in source.displays and value not in (None, ""):
        return source.displays[model_field.name](value)
    if _blank(value) and not isinstance(value, bool):
        return "—"
    if model_field.is_relation:
        return str(label) if label else f"#{value} (removed)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "N j, Y, g:i a")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "N j, Y")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _changes(source: Source, row: Any, created: bool) -> list[Change]:
    changes = []
    for model_field in source.tracked_fields:
        new = getattr(row, model_field.attname)
        old = getattr(row, f"audit_previous_{model_field.attname}")
        if created:
            if _blank(new):
                continue
        elif old == new:
            continue
        label = str(model_field.verbose_name)
        changes.append(
            Change(
                field=model_field.name,
                label=label[:1].upper() + label[1:],
                old="" if created else _display(source, model_field, old, _label(row, model_field, previous=True)),
                new=_display(source, model_field, new, _label(row, model_field, previous=False)),
                initial=created,
            )
        )
    return changes


def _blank(value: object) -> bool:
    return value is None or value is False or (isinstance(value, str | list | dict) and not value)


def _label(row: Any, model_field: models.Field[Any, Any], *, previous: bool) -> object:
    prefix = "audit_previous_label_" if previous else "audit_label_"
    return getattr(row, f"{prefix}{model_field.name}", None)


def _default_name(row: Any) -> str:
    for candidate in ("display_name", "name", "title"):
        value = getattr(row, candidate, None)
        if value:
            return str(value)
    return f"#{row.id}"


def who(user: Any) -> tuple[str, str]:
    """(name, e-mail) of the person who acted; the system when nobody did (a command, a task)."""
    if user is None:
        return "System", ""
    return user.full_name or user.email, user.email


def entry_of(source: Source, index: int, row: Any) -> Entry:
    action = ACTIONS.get(row.history_type, "changed")
    created = action == "created" or row.audit_previous_id is None
    name, email = who(row.history_user)
    entry = Entry(
        when=row.history_date,
        who=name,
        who_email=email,
        action=action,
        kind=source.kind,
        name=(source.name or _default_name)(row),
        school=source.school(row) if source.school else "",
        reason=row.history_change_reason or "",
        changes=[] if action == "deleted" else _changes(source, row, created),
        order=(index, row.history_id),
    )
    if source.describe is not None:
        entry.summary = source.describe(entry, row)
    elif entry.reason:
        entry.summary = entry.reason
    elif action == "changed" and not entry.changes:
        entry.summary = "Saved with no change"
    else:
        entry.summary = entry.action_label
    return entry


def _entries(source: Source, index: int, rows: Iterable[Any]) -> Iterator[Entry]:
    for row in rows:
        yield entry_of(source, index, row)


def entry_key(entry: Entry) -> tuple[datetime.datetime, tuple[int, int]]:
    return entry.when, entry.order


@dataclass(frozen=True)
class HistoryPage:
    entries: list[Entry]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def history_page_number(request: HttpRequest, parameter: str = "history") -> int:
    """The history page asked for in the address (1 when missing or nonsense), at most MAX_PAGE."""
    return pagination.page_number(request, parameter, last=MAX_PAGE)


def history_page(
    sources: Sequence[Source],
    *,
    number: int = 1,
    per_page: int = PER_PAGE,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    extra: Iterable[Callable[[int], list[Entry]]] = (),
    oldest_first: bool = False,
) -> HistoryPage:
    """One page of the sources' entries, newest first (oldest first, `oldest_first`, with a period):
    one query per source.

    `extra` adds entries that are not history rows (consent answers, purges): each callable gets
    how many entries it may need and returns them in the page's order."""
    number = max(1, min(number, MAX_PAGE))
    wanted = number * per_page + 1
    oldest_first = oldest_first and since is not None and until is not None
    streams: list[Iterable[Entry]] = []
    for index, source in enumerate(sources):
        if since is not None and until is not None:
            rows = _newest_period_rows(source, since, until, wanted, oldest_first=oldest_first)
        else:
            rows = list(_rows(source)[:wanted])
        # The rows come back newest first (the window's order): put them in the page's.
        entries = [entry_of(source, index, row) for row in rows]
        streams.append(sorted(entries, key=entry_key, reverse=not oldest_first))
    streams.extend(more(wanted) for more in extra)
    merged = list(itertools.islice(heapq.merge(*streams, key=entry_key, reverse=not oldest_first), wanted))
    return HistoryPage(merged[(number - 1) * per_page : number * per_page], number, len(merged) > number * per_page)


def iter_history(
    sources: Sequence[Source],
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    extra: Iterable[Iterator[Entry]] = (),
    chunk_size: int = 1000,
) -> Iterator[Entry]:
    """Every entry of the period, newest first, streamed (constant memory): one query per source."""
    streams: list[Iterable[Entry]] = [
        _entries(source, index, _period_rows(source, since, until).iterator(chunk_size))
        for index, source in enumerate(sources)
    ]
    streams.extend(extra)
    return heapq.merge(*streams, key=entry_key, reverse=True)


# --- The directory's own sources -------------------------------------------------------------


# --- Writing: who acted and why ------------------------------------------------------------------


def attribute(instance: models.Model, acting_user: Any, reason: str | None = None) -> None:
    """The next history row of `instance` names `acting_user` (None: the system) and `reason`, whether
    the change comes from a page, a Celery task or a command (django-simple-history reads these two)."""
    # Attributes simple_history reads from the instance; no model declares them.
    instance._history_user = acting_user  # type: ignore[attr-defined]  # read by simple_history
    if reason is not None:
        instance._change_reason = reason  # type: ignore[attr-defined]  # read by simple_history


def save_attributed(
    instance: models.Model, acting_user: Any, reason: str, update_fields: Sequence[str] | None = None
) -> None:
    attribute(instance, acting_user, reason)
    instance.save(update_fields=update_fields)
