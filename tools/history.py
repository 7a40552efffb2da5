"""The history sources of the approved-tool list and the reserved decisions: designees, tools,
tool requests and logo permissions, each named in words a principal reads."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from accounts.models import School
from core.history import (
    QUIET_BY_DEFAULT,
    Entry,
    HistoryPage,
    Source,
    history_page,
    person,
    recorded,
    related,
    target_model,
)
from tools.models import (
    ApprovalPower,
    DecidedAs,
    Designee,
    LogoPermission,
    Spokesperson,
    TechnologyNotice,
    Tool,
    ToolLogoPermission,
    ToolRequest,
)

# Said by the entry itself: its author decided, confirmed or added; its time is when.
DECISION_BOOKKEEPING = frozenset({"decided_by", "decided_at", "requested_at"})


def choice_label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def capacity(value: str) -> str:
    """“the Superintendent”, to follow “as”."""
    label = choice_label(DecidedAs, value)
    return label[:1].lower() + label[1:]


def _logo_summary(entry: Entry, row: Any) -> str:
    if entry.action == "created":
        return "Logo permission recorded"
    if entry.changed("withdrawn_on") is not None and row.withdrawn_on is not None:
        return "Logo permission withdrawn"
    return entry.reason or entry.action_label


def logo_permission_source(model: type[LogoPermission], rows: Q) -> Source:
    """A logo permission's history, for a tool's (ToolLogoPermission) or an account's."""
    subject = model._meta.get_field("subject")
    if not isinstance(subject, models.ForeignKey):
        raise TypeError(f"{model.__name__}.subject must be a foreign key")
    subject_model = target_model(subject)
    return Source(
        model=model,
        rows=rows,
        kind="Logo permission",
        name=lambda row: f"for {row.audit_subject or 'a removed ' + str(subject.verbose_name)}",
        labels={"audit_subject": recorded(subject_model, "subject_id", _subject_label(subject_model))},
        quiet=QUIET_BY_DEFAULT | {"subject", "recorded_by", "recorded_at", "withdrawn_by"},
        describe=_logo_summary,
    )


def _subject_label(model: type) -> str:
    return "name" if model is Tool else "display_name"


def designee_source(rows: Q) -> Source:
    return Source(
        model=Designee,
        rows=rows,
        kind="Designee",
        name=lambda row: f"{row.audit_person}: {choice_label(ApprovalPower, row.power).lower()}",
        labels={"audit_person": person("user_id")},
        quiet=QUIET_BY_DEFAULT | {"designated_by"},
    )


def tool_source(rows: Q) -> Source:
    return Source(
        model=Tool,
        rows=rows,
        kind="Tool",
        quiet=QUIET_BY_DEFAULT | DECISION_BOOKKEEPING | {"added_by"},
    )


def tool_request_source(rows: Q) -> Source:
    return Source(
        model=ToolRequest,
        rows=rows,
        kind="Tool request",
        name=lambda row: f"{row.tool_name} (asked by {row.audit_person})",
        school=lambda row: row.audit_school or "",
        labels={"audit_person": person("requested_by_id"), "audit_school": related(School, "school_id", "name")},
        quiet=QUIET_BY_DEFAULT | DECISION_BOOKKEEPING | {"requested_by"},
    )


def tool_history(tool: Tool, *, number: int = 1) -> HistoryPage:
    return history_page(
        [tool_source(Q(id=tool.pk)), logo_permission_source(ToolLogoPermission, Q(subject_id=tool.pk))], number=number
    )


def tool_request_history(tool_request: ToolRequest, *, number: int = 1) -> HistoryPage:
    return history_page([tool_request_source(Q(id=tool_request.pk))], number=number)


def spokesperson_source(rows: Q) -> Source:
    """The register of who may speak for the district."""
    return Source(
        model=Spokesperson,
        rows=rows,
        kind="Spokesperson",
        name=lambda row: f"{row.audit_person}: {row.subject}",
        labels={"audit_person": person("person_id")},
    )


def technology_notice_source(rows: Q) -> Source:
    """Each publication of the families' technology notice, and each sending to the families."""
    return Source(
        model=TechnologyNotice,
        rows=rows,
        kind="Technology notice",
        name=lambda row: f"school year {row.school_year}",
        quiet=QUIET_BY_DEFAULT | {"published_by", "sent_to_families_by"},
    )
