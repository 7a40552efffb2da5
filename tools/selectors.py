"""Read-side questions about the approved-tool list and tool requests, shared by pages and reminders."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import District, Student, ToolListVisibility
from tools.models import (
    KINDERGARTEN_AGE,
    USABLE_TOOL_STATUSES,
    LogoPermission,
    Spokesperson,
    TechnologyNotice,
    Tool,
    ToolCategory,
    ToolRequest,
    ToolRequestStatus,
)

# --- Which students a tool's grade band and minimum age leave out ----------------------------------

# Roster grades are CEDS codes (accounts.roster.files): these come before kindergarten.
PRE_K_GRADES = ("IT", "PR", "PK", "TK", "PS")


def grade_number() -> Case:
    """A student's roster grade as the tool list's grade number (Pre-K -1, kindergarten 0, 1–13);
    NULL when the roster says nothing usable (UG, OTHER, empty)."""
    return Case(
        When(grade__in=("KG", "K"), then=Value(0)),
        When(grade__in=PRE_K_GRADES, then=Value(-1)),
        When(grade__regex=r"^[0-9]{1,2}$", then=Cast("grade", IntegerField())),
        default=Value(None),
        output_field=IntegerField(),
    )


def with_tool_limits(
    students: QuerySet[Student], *, lowest: Any, highest: Any, youngest_grade: Any
) -> QuerySet[Student]:
    """Adds `outside_limits` to each student: whether the tool's grade band or minimum age leaves them
    out, the one rule for it in SQL. The tool's limits come as expressions (OuterRef for many
    authorizations at once, Value for one); the youngest grade is the first whose youngest students
    have the minimum age (Tool.minimum_age - 5). A grade the roster leaves unknown cannot be shown to
    fit, so it counts as outside any limit."""

    def number(value: Any) -> ExpressionWrapper[Any]:
        return ExpressionWrapper(value, output_field=IntegerField())  # an OuterRef takes no lookup until typed

    limited = students.annotate(
        grade_no=grade_number(),
        tool_lowest=number(lowest),
        tool_highest=number(highest),
        tool_youngest_grade=number(youngest_grade),
    )
    has_limit = Q(tool_lowest__isnull=False) | Q(tool_highest__isnull=False) | Q(tool_youngest_grade__isnull=False)
    outside = (
        Q(grade_no__isnull=True)
        | Q(grade_no__lt=F("tool_lowest"))
        | Q(grade_no__gt=F("tool_highest"))
        | Q(grade_no__lt=F("tool_youngest_grade"))
    )
    # A CASE, not a negated filter: a comparison with a limit the tool does not set is NULL.
    return limited.annotate(
        outside_limits=Case(
            When(has_limit & outside, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def limits_of(students: QuerySet[Student], tool: Tool) -> QuerySet[Student]:
    """with_tool_limits for one tool."""
    youngest = None if tool.minimum_age is None else tool.minimum_age - KINDERGARTEN_AGE
    return with_tool_limits(
        students,
        lowest=Value(tool.lowest_grade, output_field=IntegerField()),
        highest=Value(tool.highest_grade, output_field=IntegerField()),
        youngest_grade=Value(youngest, output_field=IntegerField()),
    )


def outside_limits_of(students: QuerySet[Student], tool: Tool) -> QuerySet[Student]:
    """The students `tool`'s grade band or minimum age leaves out."""
    return limits_of(students, tool).filter(outside_limits=True)  # type: ignore[misc]  # an annotation the plugin cannot see


# --- The approved-tool list ----------------------------------------------------------------------

# How far ahead the tool pages warn about reviews and privacy agreements (reminders pass the policy's own).
TOOL_DUE_SOON_DAYS = 30


def tools_of(district_id: int) -> QuerySet[Tool]:
    return Tool.objects.filter(district_id=district_id)


KIND_SEARCH_MIN_LENGTH = 3


def tool_search(tools: QuerySet[Tool], query: str) -> QuerySet[Tool]:
    """Tools matching the words people ask with: the name or company, what it is used for (its
    description and conditions of use), or its kind ("video" finds "Video and streaming", "quiz"
    "Quizzes and assessment", in English or the reader's language)."""
    query = query.strip()
    if not query:
        return tools
    folded = query.casefold()
    kinds = [  # a word of the kind's name, not any letter of it
        value
        for value, label in ToolCategory.choices
        if len(folded) >= KIND_SEARCH_MIN_LENGTH and (folded in label.casefold() or folded in gettext(label).casefold())
    ]
    return tools.filter(
        Q(name__icontains=query)
        | Q(vendor__icontains=query)
        | Q(description__icontains=query)
        | Q(conditions__icontains=query)
        | Q(category__in=kinds)
    )


def tools_for_grade(tools: QuerySet[Tool], grade: int) -> QuerySet[Tool]:
    """Tools whose grade band includes `grade` (a band open at one end reaches every grade that way)."""
    return tools.filter(Q(lowest_grade__isnull=True) | Q(lowest_grade__lte=grade)).filter(
        Q(highest_grade__isnull=True) | Q(highest_grade__gte=grade)
    )


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


# --- The families' technology notice (state student data laws) ------------------------------------


def technology_notice_tools(district: District) -> QuerySet[Tool]:
    """The providers the notice lists: the approved tools (with or without conditions) that hold
    student data. The statutes (Minnesota, Ohio, Colorado) are about providers holding student data,
    so a tool that holds none is not on it."""
    return (
        usable_tools(tools_of(district.pk))
        .exclude(student_data_held="")
        .select_related("decided_by")
        .order_by(Lower("name"), "pk")
    )


def technology_notice_entry(tool: Tool) -> dict[str, object]:
    """One provider as the notice keeps it when published (plain values: the snapshot is JSON)."""
    decided_by = tool.decided_by
    return {
        "tool_id": tool.pk,
        "name": tool.name,
        "vendor": tool.vendor,
        "website": tool.website,
        "description": tool.description,
        "student_data_held": tool.student_data_held,
        "privacy_agreement_on_file": tool.privacy_agreement_on_file,
        "privacy_agreement_expires_on": tool.privacy_agreement_expires_on.isoformat()
        if tool.privacy_agreement_expires_on
        else "",
        "privacy_agreement_url": tool.privacy_agreement_url,
        "decided_as": tool.decided_as,
        # A School Board decision is the Board's, not the person who recorded it.
        "decided_by": (decided_by.full_name or decided_by.email)
        if decided_by is not None and tool.decided_as != "school_board"
        else "",
        "decided_on": tool.decided_on.isoformat() if tool.decided_on else "",
    }


def published_technology_notice(district: District, school_year: int | None = None) -> TechnologyNotice | None:
    """The notice published for `school_year`, or the latest published one (None: none published)."""
    notices = TechnologyNotice.objects.filter(district=district).select_related("district", "published_by")
    if school_year is not None:
        notices = notices.filter(school_year=school_year)
    return notices.order_by("-school_year").first()


def technology_notice_published(district: District, school_year: int) -> bool:
    return TechnologyNotice.objects.filter(district=district, school_year=school_year).exists()


@dataclass(frozen=True)
class NoticeChange:
    """A provider that joined or left the list after the notice was published, and when."""

    name: str
    added: bool
    on: datetime.date


def technology_notice_changes(notice: TechnologyNotice) -> list[NoticeChange]:
    """The list now against the list as published: providers added or removed since, each dated by
    the tool's history (its last change after publication), oldest first (two queries)."""
    published = {int(str(entry["tool_id"])): str(entry["name"]) for entry in notice.entries}
    current = dict(technology_notice_tools(notice.district).values_list("pk", "name"))
    added = {pk: name for pk, name in current.items() if pk not in published}
    removed = {pk: name for pk, name in published.items() if pk not in current}
    if not added and not removed:
        return []
    changed_on = dict(
        Tool.history.filter(id__in=[*added, *removed], history_date__gt=notice.published_at)
        .values("id")
        .annotate(last=Max("history_date"))
        .values_list("id", "last")
    )
    zone = zoneinfo.ZoneInfo(notice.district.time_zone)

    def day(pk: int) -> datetime.date:
        when = changed_on.get(pk) or notice.published_at  # deleted without history: no later date known
        return timezone.localtime(when, zone).date()

    changes = [NoticeChange(name, True, day(pk)) for pk, name in added.items()]
    changes += [NoticeChange(name, False, day(pk)) for pk, name in removed.items()]
    return sorted(changes, key=lambda change: (change.on, change.name.lower()))
