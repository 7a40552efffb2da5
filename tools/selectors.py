"""Read-side questions about the approved-tool list and tool requests, shared by pages and reminders."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import District, ToolListVisibility
from tools.models import USABLE_TOOL_STATUSES, LogoPermission, Spokesperson, Tool, ToolRequest, ToolRequestStatus

# --- The approved-tool list ----------------------------------------------------------------------

# How far ahead the tool pages warn about reviews and privacy agreements (reminders pass the policy's own).
TOOL_DUE_SOON_DAYS = 30


def tools_of(district_id: int) -> QuerySet[Tool]:
    return Tool.objects.filter(district_id=district_id)


def tool_search(tools: QuerySet[Tool], query: str) -> QuerySet[Tool]:
    query = query.strip()
    if not query:
        return tools
    return tools.filter(Q(name__icontains=query) | Q(vendor__icontains=query) | Q(description__icontains=query))


def usable_tools(tools: QuerySet[Tool]) -> QuerySet[Tool]:
    return tools.filter(status__in=USABLE_TOOL_STATUSES)


def public_tool_list(district: District) -> QuerySet[Tool]:
    """What families see where the policy publishes the list: the approved tools and their conditions."""
    if district.tool_list_visibility != ToolListVisibility.PUBLIC:
        return Tool.objects.none()
    return usable_tools(tools_of(district.pk)).order_by("name", "pk")


def tool_reviews_due(
    tools: QuerySet[Tool], within_days: int = TOOL_DUE_SOON_DAYS, today: datetime.date | None = None
) -> QuerySet[Tool]:
    """Approved tools whose review date falls within `within_days` (or has passed)."""
    today = today or timezone.localdate()
    return usable_tools(tools).filter(next_review_on__lte=today + datetime.timedelta(days=within_days))


def tool_reviews_overdue(tools: QuerySet[Tool], today: datetime.date | None = None) -> QuerySet[Tool]:
    today = today or timezone.localdate()
    return usable_tools(tools).filter(next_review_on__lt=today)


def privacy_agreements_expiring(
    tools: QuerySet[Tool], within_days: int = TOOL_DUE_SOON_DAYS, today: datetime.date | None = None
) -> QuerySet[Tool]:
    """Approved tools whose student-data privacy agreement ends within `within_days` (not yet ended)."""
    today = today or timezone.localdate()
    return usable_tools(tools).filter(
        privacy_agreement_expires_on__gte=today,
        privacy_agreement_expires_on__lte=today + datetime.timedelta(days=within_days),
    )


def privacy_agreements_expired(tools: QuerySet[Tool], today: datetime.date | None = None) -> QuerySet[Tool]:
    """Approved tools still in use although their privacy agreement has ended."""
    today = today or timezone.localdate()
    return usable_tools(tools).filter(privacy_agreement_expires_on__lt=today)


def tool_requests_waiting(district_id: int) -> QuerySet[ToolRequest]:
    """The approver's queue, oldest first."""
    return (
        ToolRequest.objects.filter(district_id=district_id, status=ToolRequestStatus.WAITING)
        .select_related("requested_by", "school", "tool")
        .order_by("requested_at", "pk")
    )


def current_logo_permission(subject: Tool | Any) -> LogoPermission | None:
    """The permission in force for `subject` (a tool, or an official account: anything with
    `logo_permissions`), if any."""
    return (
        subject.logo_permissions.filter(withdrawn_on__isnull=True)
        .select_related("recorded_by")
        .order_by("-granted_on", "-pk")
        .first()
    )


def spokespeople(district: District) -> QuerySet[Spokesperson]:
    """The register: every authorization to speak for the district, newest first, with who."""
    return Spokesperson.objects.filter(district=district).select_related("person", "withdrawn_by")


def current_spokespeople(district: District, on: datetime.date | None = None) -> QuerySet[Spokesperson]:
    """Who may speak for the district on `on`: authorized by then, not withdrawn, not past their date."""
    on = on or timezone.localdate()
    return (
        spokespeople(district)
        .filter(withdrawn_on__isnull=True, granted_on__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
    )
