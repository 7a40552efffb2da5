"""An account's story in plain words, read from the history tables: who changed what, when."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models

from registry.models import AccountAdministrator, LogoPermission, SocialAccount, Tool

# Bookkeeping columns that would only add noise to the story.
_QUIET_FIELDS = {
    "handle_key",
    "requested_at",
    "decided_at",
    "communications_confirmed_at",
    "id",
    "account",
    # Said by the entry's own summary ("Approved" by whom is the entry's author).
    "decided_by",
    "communications_confirmed_by",
    "added_by",
    "created_at",
    "recorded_at",
    "recorded_by",
    "withdrawn_by",
}


@dataclass
class Event:
    when: datetime.datetime
    who: str
    summary: str
    changes: list[str] = field(default_factory=list)


def _who(record: models.Model) -> str:
    user = record.history_user
    if user is None:
        return "System"
    return user.full_name or user.email


def _display(model: type[models.Model], name: str, value: object, related: dict) -> str:
    if value in (None, ""):
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return str(related.get((model_field.related_model, value), "removed"))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.strftime("%b %d, %Y")
    return str(value)


def _changes(model: type[models.Model], pairs: list[tuple], related: dict) -> dict[int, list[str]]:
    described: dict[int, list[str]] = {}
    for record, previous in pairs:
        lines = []
        for change in record.diff_against(previous).changes:
            if change.field in _QUIET_FIELDS:
                continue
            label = model._meta.get_field(change.field).verbose_name
            old = _display(model, change.field, change.old, related)
            new = _display(model, change.field, change.new, related)
            lines.append(f"{label[:1].upper()}{label[1:]}: {old} → {new}")
        described[record.history_id] = lines
    return described


def _related_names(models_and_records: list[tuple[type[models.Model], list]]) -> dict:
    """Every object a history row points at, fetched once per model (not once per row)."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for model, records in models_and_records:
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.ForeignKey) and model_field.name not in _QUIET_FIELDS:
                for record in records:
                    value = getattr(record, model_field.attname)
                    if value is not None:
                        wanted[model_field.related_model].add(value)
    related = {}
    for related_model, ids in wanted.items():
        for pk, obj in related_model._default_manager.in_bulk(list(ids)).items():
            related[(related_model, pk)] = obj
    return related


def _pairs(records: list, key: str) -> list[tuple]:
    """Each history row with the row before it for the same object (None for the first)."""
    last: dict[int, object] = {}
    pairs = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        pairs.append((record, last.get(getattr(record, key))))
        last[getattr(record, key)] = record
    return pairs


def _object_events(model: type[models.Model], records: list, related: dict, created: str) -> list[Event]:
    """One object's history rows in words: its creation with its status, then each change and why."""
    events: list[Event] = []
    pairs = _pairs(records, "id")
    described = _changes(model, [(r, p) for r, p in pairs if p is not None], related)
    for record, previous in pairs:
        if previous is None:
            summary = record.history_change_reason or created
            events.append(Event(record.history_date, _who(record), summary, [f"Status: {record.get_status_display()}"]))
        else:
            lines = described.get(record.history_id, [])
            if lines or record.history_change_reason:
                events.append(
                    Event(record.history_date, _who(record), record.history_change_reason or "Changed", lines)
                )
    return events


def account_timeline(account: SocialAccount, *, limit: int = 50) -> list[Event]:
    """Newest first: changes to the account itself and to its administrators."""
    account_records = list(account.history.select_related("history_user").order_by("-history_date")[:200])
    admin_records = list(
        AccountAdministrator.history.filter(account_id=account.pk)
        .select_related("history_user")
        .order_by("-history_date")[:200]
    )
    related = _related_names([(SocialAccount, account_records), (AccountAdministrator, admin_records)])
    events = _object_events(SocialAccount, account_records, related, "Created")
    events.extend(_logo_events(LogoPermission.history.filter(account_id=account.pk)))

    admin_pairs = _pairs(admin_records, "id")
    described = _changes(AccountAdministrator, [(r, p) for r, p in admin_pairs if p is not None], related)
    for record, previous in admin_pairs:
        person = related.get((AccountAdministrator._meta.get_field("user").related_model, record.user_id), "someone")
        role = record.get_role_display().lower()
        if previous is None:
            events.append(Event(record.history_date, _who(record), f"{person} designated {role}"))
        elif record.history_type == "-":
            events.append(Event(record.history_date, _who(record), f"{person} removed"))
        else:
            lines = described.get(record.history_id, [])
            if record.ends_on and not previous.ends_on:
                events.append(Event(record.history_date, _who(record), f"{person}'s designation ended", lines))
            elif lines:
                events.append(Event(record.history_date, _who(record), f"{person}'s designation changed", lines))
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]


def _logo_events(records: models.QuerySet) -> list[Event]:
    """Grants and withdrawals of written permission to use the district logo."""
    events = []
    for record in records.select_related("history_user").order_by("-history_date")[:100]:
        if record.history_type == "+":
            events.append(
                Event(
                    record.history_date,
                    _who(record),
                    "Logo permission recorded",
                    [f"{record.granted_by_name} ({record.get_decided_as_display()}), {record.granted_on:%b %d, %Y}"],
                )
            )
        elif record.history_type == "~" and record.withdrawn_on is not None:
            reason = [record.withdrawal_reason] if record.withdrawal_reason else []
            events.append(Event(record.history_date, _who(record), "Logo permission withdrawn", reason))
    return events


def tool_timeline(tool: Tool, *, limit: int = 50) -> list[Event]:
    """Newest first: the tool's decisions, reviews and changed details, and its logo permissions."""
    records = list(tool.history.select_related("history_user").order_by("-history_date")[:200])
    related = _related_names([(Tool, records)])
    events = _object_events(Tool, records, related, "Added to the list")
    events.extend(_logo_events(LogoPermission.history.filter(tool_id=tool.pk)))
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]
