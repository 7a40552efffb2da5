"""An authorization's history, in words a principal reads."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q

from accounts.models import Program
from authorizations.models import Authorization
from core.history import QUIET_BY_DEFAULT, Entry, HistoryPage, Source, history_page, recorded, related
from tools.history import DECISION_BOOKKEEPING, capacity
from tools.models import Tool


def _day(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _authorization_summary(entry: Entry, row: Any) -> str:
    """A history row of an authorization in words."""
    reason = entry.reason
    if reason == "Requested":
        return f"Asked to use it from {_day(row.starts_on)} until {_day(row.ends_on)}"
    if reason in ("Authorized", "Not authorized"):
        text = reason
        if row.decided_as:
            text += f", as {capacity(row.decided_as)}"
        if row.decision_reference:
            text += f" (written record: {row.decision_reference})"
        return text
    return reason or entry.action_label


def authorization_source(rows: Q) -> Source:
    return Source(
        model=Authorization,
        rows=rows,
        kind="Authorization",
        name=lambda row: f"{row.audit_tool} with {row.audit_program}",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_tool": recorded(Tool, "tool_id", "name"),
            "audit_program": related(Program, "program_id", "name"),
            "audit_school": related(Program, "program_id", "school__name"),
        },
        quiet=QUIET_BY_DEFAULT | DECISION_BOOKKEEPING | {"requested_by", "ended_by", "ended_at"},
        describe=_authorization_summary,
    )


def authorization_history(authorization: Authorization, *, number: int = 1) -> HistoryPage:
    return history_page([authorization_source(Q(id=authorization.pk))], number=number)
