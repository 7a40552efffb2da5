"""The registry's history sources: official accounts, their administrators, reviews and logo
permissions, designees, tools, tool requests and authorizations, each named in words a principal
reads. Pages and the district's audit log read them through accounts.history."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q

from accounts.history import QUIET_BY_DEFAULT, Entry, HistoryPage, Source, history_page, person, recorded, related
from accounts.models import Program, School
from registry.models import (
    AccountAdministrator,
    AccountReview,
    AdministratorRole,
    ApprovalPower,
    DecidedAs,
    Designee,
    InstructionalUse,
    LogoPermission,
    Platform,
    ReviewOutcome,
    SocialAccount,
    Tool,
    ToolRequest,
)

# Said by the entry itself: its author decided, confirmed or added; its time is when.
_DECISION_BOOKKEEPING = frozenset({"decided_by", "decided_at", "requested_at"})


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def account_source(rows: Q) -> Source:
    return Source(
        model=SocialAccount,
        rows=rows,
        kind="Official account",
        name=lambda row: f"{row.display_name} ({row.audit_platform})",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_platform": related(Platform, "platform_id", "name"),
            "audit_school": related(School, "school_id", "name"),
        },
        quiet=QUIET_BY_DEFAULT | _DECISION_BOOKKEEPING | {"communications_confirmed_by", "communications_confirmed_at"},
    )


def _administrator_summary(entry: Entry, row: Any) -> str:
    person_name = row.audit_person
    if entry.action == "created":
        return f"{person_name} designated {_label(AdministratorRole, row.role).lower()}"
    if entry.action == "deleted":
        return f"{person_name} removed"
    ended = entry.changed("ends_on")
    if ended is not None and ended.old == "—":
        return f"{person_name}'s designation ended"
    return f"{person_name}'s designation changed"


def administrator_source(rows: Q) -> Source:
    return Source(
        model=AccountAdministrator,
        rows=rows,
        kind="Account administrator",
        name=lambda row: f"{row.audit_person} on {row.audit_account or 'a removed account'}",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_person": person("user_id"),
            "audit_account": recorded(SocialAccount, "account_id", "display_name"),
            "audit_school": recorded(SocialAccount, "account_id", "school__name"),
        },
        quiet=QUIET_BY_DEFAULT | {"account", "user", "added_by"},
        describe=_administrator_summary,
    )


def _review_summary(entry: Entry, row: Any) -> str:
    if entry.action == "created":
        return f"Reviewed: {_label(ReviewOutcome, row.outcome).lower()}"
    return entry.reason or entry.action_label


def review_source(rows: Q) -> Source:
    return Source(
        model=AccountReview,
        rows=rows,
        kind="Account review",
        name=lambda row: row.audit_account or "a removed account",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_account": recorded(SocialAccount, "account_id", "display_name"),
            "audit_school": recorded(SocialAccount, "account_id", "school__name"),
        },
        quiet=QUIET_BY_DEFAULT | {"account", "reviewed_by"},
        describe=_review_summary,
    )


def _logo_summary(entry: Entry, row: Any) -> str:
    if entry.action == "created":
        return "Logo permission recorded"
    if entry.changed("withdrawn_on") is not None and row.withdrawn_on is not None:
        return "Logo permission withdrawn"
    return entry.reason or entry.action_label


def logo_permission_source(rows: Q) -> Source:
    return Source(
        model=LogoPermission,
        rows=rows,
        kind="Logo permission",
        name=lambda row: f"for {row.audit_account or row.audit_tool or 'a removed account or tool'}",
        labels={
            "audit_account": recorded(SocialAccount, "account_id", "display_name"),
            "audit_tool": recorded(Tool, "tool_id", "name"),
        },
        quiet=QUIET_BY_DEFAULT | {"account", "tool", "recorded_by", "recorded_at", "withdrawn_by"},
        describe=_logo_summary,
    )


def designee_source(rows: Q) -> Source:
    return Source(
        model=Designee,
        rows=rows,
        kind="Designee",
        name=lambda row: f"{row.audit_person}: {_label(ApprovalPower, row.power).lower()}",
        labels={"audit_person": person("user_id")},
        quiet=QUIET_BY_DEFAULT | {"designated_by"},
    )


def tool_source(rows: Q) -> Source:
    return Source(
        model=Tool,
        rows=rows,
        kind="Tool",
        quiet=QUIET_BY_DEFAULT | _DECISION_BOOKKEEPING | {"added_by"},
    )


def tool_request_source(rows: Q) -> Source:
    return Source(
        model=ToolRequest,
        rows=rows,
        kind="Tool request",
        name=lambda row: f"{row.tool_name} (asked by {row.audit_person})",
        school=lambda row: row.audit_school or "",
        labels={"audit_person": person("requested_by_id"), "audit_school": related(School, "school_id", "name")},
        quiet=QUIET_BY_DEFAULT | _DECISION_BOOKKEEPING | {"requested_by"},
    )


def _day(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _capacity(value: str) -> str:
    """“the Superintendent”, to follow “as”."""
    label = _label(DecidedAs, value)
    return label[:1].lower() + label[1:]


def _authorization_summary(entry: Entry, row: Any) -> str:
    """A history row of an authorization in words."""
    reason = entry.reason
    if reason == "Requested":
        return f"Asked to use it from {_day(row.starts_on)} until {_day(row.ends_on)}"
    if reason in ("Authorized", "Not authorized"):
        text = reason
        if row.decided_as:
            text += f", as {_capacity(row.decided_as)}"
        if row.decision_reference:
            text += f" (written record: {row.decision_reference})"
        return text
    return reason or entry.action_label


def authorization_source(rows: Q) -> Source:
    return Source(
        model=InstructionalUse,
        rows=rows,
        kind="Authorization",
        name=lambda row: f"{row.audit_tool} with {row.audit_program}",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_tool": recorded(Tool, "tool_id", "name"),
            "audit_program": related(Program, "program_id", "name"),
            "audit_school": related(Program, "program_id", "school__name"),
        },
        quiet=QUIET_BY_DEFAULT | _DECISION_BOOKKEEPING | {"requested_by", "ended_by", "ended_at"},
        describe=_authorization_summary,
    )


# --- One object's history, for its page --------------------------------------------------------


def account_history(account: SocialAccount, *, number: int = 1) -> HistoryPage:
    """The account, its administrators, its reviews and its logo permissions."""
    return history_page(
        [
            account_source(Q(id=account.pk)),
            administrator_source(Q(account_id=account.pk)),
            review_source(Q(account_id=account.pk)),
            logo_permission_source(Q(account_id=account.pk)),
        ],
        number=number,
    )


def tool_history(tool: Tool, *, number: int = 1) -> HistoryPage:
    return history_page([tool_source(Q(id=tool.pk)), logo_permission_source(Q(tool_id=tool.pk))], number=number)


def tool_request_history(tool_request: ToolRequest, *, number: int = 1) -> HistoryPage:
    return history_page([tool_request_source(Q(id=tool_request.pk))], number=number)


def authorization_history(use: InstructionalUse, *, number: int = 1) -> HistoryPage:
    return history_page([authorization_source(Q(id=use.pk))], number=number)
