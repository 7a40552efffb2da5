"""The approved-tool list, tool requests, the Superintendent's designees, and logo permission for tools.

Thin views: objects are resolved only through tools.access (404 when out of reach, 403 for an
action not allowed), each POST calls one service, and a service's refusal comes back on its form.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import scope_for
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Approver, District, School, SchoolYear, ToolListVisibility, User
from core.csv_response import csv_response
from core.forms import SearchForm
from core.history import history_page_number as page_number
from core.languages import supported
from core.refusals import add_refusal, require, show_refusal
from core.sorting import Sorting
from core.tasks import enqueue
from tools import access, history, selectors, services
from tools.forms import (
    REQUEST_SORTS,
    TOOL_SORTS,
    DesigneeForm,
    LogoPermissionGrantForm,
    LogoPermissionWithdrawForm,
    RequestApproveForm,
    RequestDeclineForm,
    SpokespersonForm,
    SpokespersonWithdrawForm,
    ToolDecisionForm,
    ToolFilterForm,
    ToolForm,
    ToolRequestForm,
    ToolSetAsideForm,
    powers_open_to_designees,
)
from tools.logo import in_sentence, logo_grant, logo_section, logo_withdraw
from tools.models import ApprovalPower, Designee, TechnologyNotice, Tool, ToolRequest, ToolRequestStatus, ToolStatus
from tools.tasks import send_technology_notice_to_families

PAGE_SIZE = 50
SHORT_LIST = 50  # rows of the secondary lists on a page (a request's history, earlier designees)
TOOLS = ApprovalPower.TOOLS


def _dates() -> dict[str, datetime.date]:
    """Today, and the end of the “due soon” window the warnings use."""
    today = timezone.localdate()
    return {"today": today, "soon": today + datetime.timedelta(days=selectors.TOOL_DUE_SOON_DAYS)}


def _person(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


# --- The list -----------------------------------------------------------------------------------


def _filtered_tools(request: AuthenticatedHttpRequest) -> tuple[ToolFilterForm, Sorting, QuerySet[Tool]]:
    filter_form = ToolFilterForm(request.GET)
    sorting = Sorting(request, TOOL_SORTS, default="name")
    return filter_form, sorting, sorting.apply(filter_form.apply(access.visible_tools(request.user)))


@login_required
def tool_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    filter_form, sorting, tools = _filtered_tools(request)
    district = user.district
    can_maintain = district is not None and access.can_maintain_tools(user, district)
    counts = None
    if district is not None and can_maintain:
        mine = selectors.tools_of(district.pk)
        counts = {
            "review_overdue": selectors.tool_reviews_overdue(mine).count(),
            "review_due": selectors.tool_reviews_due(mine).count(),
            "agreement_expired": selectors.privacy_agreements_expired(mine).count(),
            "agreement_expiring": selectors.privacy_agreements_expiring(mine).count(),
            "requests_waiting": selectors.tool_requests_waiting(district.pk).count(),
        }
    return render(
        request,
        "tools/tool_list.html",
        {
            "filter_form": filter_form,
            "sorting": sorting,
            "page": Paginator(tools, PAGE_SIZE).get_page(request.GET.get("page")),
            "counts": counts,
            "can_maintain": can_maintain,
            "can_see_notice": district is not None and access.can_see_technology_notice(user, district),
            "can_request": access.can_request_tool(user),
            "export_query": request.GET.urlencode(),
            "district": district,
            "approver": in_sentence(district.get_tool_approver_display()) if district else "",
            **_dates(),
        },
    )


EXPORT_COLUMNS: list[tuple[str, Callable[[Tool], object]]] = [
    ("Tool", lambda t: t.name),
    ("Company", lambda t: t.vendor),
    ("Website", lambda t: t.website),
    ("Kind", lambda t: t.get_category_display()),
    ("Status", lambda t: t.get_status_display()),
    ("Conditions of use", lambda t: t.conditions),
    ("Grades", lambda t: t.grade_band),
    ("Public social network", lambda t: "yes" if t.is_public_social_media else ""),
    ("Parental consent needed", lambda t: "yes" if t.needs_participation_consent else ""),
    ("Minimum age in its terms", lambda t: t.minimum_age or ""),
    ("Privacy agreement on file", lambda t: "yes" if t.privacy_agreement_on_file else ""),
    ("Privacy agreement ends", lambda t: t.privacy_agreement_expires_on or ""),
    ("Decided by", lambda t: t.get_decided_as_display()),
    ("Decided on", lambda t: t.decided_on or ""),
    ("Written record", lambda t: t.decision_reference),
    ("Next review", lambda t: t.next_review_on or ""),
]


@login_required
def tool_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV (cells that would run as formulas are neutralised)."""
    _form, _sorting, tools = _filtered_tools(request)
    return csv_response(
        f"approved-tools-{timezone.localdate().isoformat()}.csv",
        [name for name, _value in EXPORT_COLUMNS],
        ([value(tool) for _name, value in EXPORT_COLUMNS] for tool in tools.iterator(chunk_size=1000)),
    )


def public_tool_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Families see the approved tools, their conditions and grades, where the policy publishes the list."""
    district = District.objects.filter(slug=slug).first()
    if district is None or district.tool_list_visibility != ToolListVisibility.PUBLIC:
        raise Http404
    tools = selectors.public_tool_list(district).only(
        "name",
        "website",
        "status",
        "conditions",
        "lowest_grade",
        "highest_grade",
        "is_public_social_media",
        "parental_consent_required",
    )
    query = SearchForm(request.GET).query()
    if query:
        tools = tools.filter(name__icontains=query.strip())
    page = Paginator(tools, 100).get_page(request.GET.get("page"))
    return render(request, "tools/public_tool_list.html", {"district": district, "page": page, "query": query})


# --- The families' technology notice ---------------------------------------------------------------

# Who approved a provider, in the reader's language (the notice keeps the DecidedAs value).
DECIDED_AS_WORDS = {
    "superintendent": gettext_lazy("The Superintendent"),
    "designee": gettext_lazy("The Superintendent's designee"),
    "school_board": gettext_lazy("The School Board"),
}


def _notice_entries(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """The published entries with their dates as dates and the approver in words."""
    return [
        {
            **entry,
            "decided_as_words": DECIDED_AS_WORDS.get(str(entry.get("decided_as", "")), ""),
            "decided_on": _iso_date(entry.get("decided_on")),
            "privacy_agreement_expires_on": _iso_date(entry.get("privacy_agreement_expires_on")),
        }
        for entry in entries
    ]


def _iso_date(value: object) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else None


def public_technology_notice(request: HttpRequest, slug: str) -> HttpResponse:
    """Families read the providers holding their children's data, as the director published the notice
    (the latest year, or `?year=`), and what changed on the list since. `?language=` (the e-mails'
    links) keeps the family's language in the switch's cookie and drops it from the address."""
    if language := supported(str(request.GET.get("language", ""))):
        query = request.GET.copy()
        del query["language"]
        response = redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response
    district = District.objects.filter(slug=slug).first()
    year = str(request.GET.get("year", ""))
    if district is None or (year and not year.isdigit()):
        raise Http404
    notice = selectors.published_technology_notice(district, int(year) if year else None)
    if notice is None:
        raise Http404
    return render(
        request,
        "tools/public_technology_notice.html",
        {
            "district": district,
            "notice": notice,
            "entries": _notice_entries(notice.entries),
            "changes": selectors.technology_notice_changes(notice),
        },
    )


def _notice_district(request: AuthenticatedHttpRequest) -> District:
    district = request.user.district
    if district is None or not access.can_see_technology_notice(request.user, district):
        raise PermissionDenied
    return district


@login_required
def technology_notice(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The director's page: the providers the notice lists today, each year's publication, and the
    changes since; publishing and sending to families."""
    district = _notice_district(request)
    years = services.technology_notice_years(district)
    notices = {
        notice.school_year: notice
        for notice in TechnologyNotice.objects.filter(district=district, school_year__in=years).select_related(
            "published_by", "sent_to_families_by", "district"
        )
    }
    published = [
        {"notice": notice, "changes": selectors.technology_notice_changes(notice)}
        for notice in (notices.get(year) for year in years)
        if notice is not None
    ]
    return render(
        request,
        "tools/technology_notice.html",
        {
            "district": district,
            "tools": list(selectors.technology_notice_tools(district)),
            "years": [
                {
                    "year": school_year,
                    "due_on": district.technology_notice_due_on(school_year),
                    "notice": notices.get(school_year.start_year),
                }
                for school_year in (SchoolYear(year, district.school_year_start_month) for year in years)
            ],
            "published": published,
            "can_publish": access.can_publish_technology_notice(request.user, district),
        },
    )


def _chosen_year(request: AuthenticatedHttpRequest) -> int | None:
    year = str(request.POST.get("school_year", ""))
    return int(year) if year.isdigit() else None


@require_POST
@login_required
def technology_notice_publish(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = _notice_district(request)
    require(access.can_publish_technology_notice(request.user, district))
    year = _chosen_year(request)
    try:
        notice = services.technology_notice_publish(
            acting_user=request.user, district=district, school_year=year if year is not None else 0
        )
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("tools:technology_notice")
    messages.success(
        request,
        _("The %(year)s technology notice is published on the district's public page.") % {"year": notice.year.label},
    )
    return redirect("tools:technology_notice")


@require_POST
@login_required
def technology_notice_send(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Queues the e-mails to the families (a task: a district's families are many)."""
    district = _notice_district(request)
    require(access.can_publish_technology_notice(request.user, district))
    year = _chosen_year(request)
    notice = selectors.published_technology_notice(district, year) if year is not None else None
    if notice is None:
        messages.error(request, _("Publish the notice before sending it to families."))
    elif enqueue(send_technology_notice_to_families, notice.pk, request.user.pk):
        messages.success(
            request,
            _(
                "The notice is on its way to every parent or guardian with an e-mail address, in their language "
                "(each once a school year)."
            ),
        )
    else:
        messages.error(request, _("The e-mails could not be queued just now. Try again in a few minutes."))
    return redirect("consent:family_links" if request.POST.get("from") == "families" else "tools:technology_notice")


# --- One tool -----------------------------------------------------------------------------------


@login_required
def tool_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _tool_page(request, access.get_tool_for_user(request.user, pk))


def _tool_page(
    request: AuthenticatedHttpRequest,
    tool: Tool,
    *,
    decision_form: ToolDecisionForm | None = None,
    set_aside_form: ToolSetAsideForm | None = None,
    logo_form: LogoPermissionGrantForm | None = None,
    logo_withdraw_form: LogoPermissionWithdrawForm | None = None,
) -> HttpResponse:
    user = request.user
    district = tool.district
    capacities = access.decision_capacities(user, district, TOOLS)
    if capacities and decision_form is None:
        decision_form = ToolDecisionForm(capacities=capacities, tool=tool, auto_id="decision_%s")
    requests = list(
        access.visible_tool_requests(user)
        .filter(tool=tool)
        .select_related("requested_by", "school")
        .order_by("-requested_at", "-pk")[:SHORT_LIST]
    )
    asked = any(r.requested_by_id == user.pk and r.is_waiting for r in requests)
    return render(
        request,
        "tools/tool_detail.html",
        {
            "tool": tool,
            "decision_form": decision_form,
            "set_aside_form": set_aside_form or ToolSetAsideForm(auto_id="set_aside_%s"),
            "can": {
                "decide": bool(capacities),
                "maintain": access.can_maintain_tools(user, district),
                "request": not capacities
                and not asked
                and access.can_request_tool(user)
                and user.district_id == district.pk
                and tool.status in (ToolStatus.UNDER_REVIEW, ToolStatus.NOT_APPROVED),
            },
            "approver": in_sentence(district.get_tool_approver_display()),
            "decision_open": decision_form is not None and (decision_form.is_bound or _decision_due(tool)),
            "requests": requests,
            "history": history.tool_history(tool, number=page_number(request)),
            "logo": logo_section(
                request,
                district,
                tool.logo_permissions.all(),
                grant_url=reverse("tools:tool_logo", args=[tool.pk]),
                withdraw_url=reverse("tools:tool_logo_withdraw", args=[tool.pk]),
                form=logo_form,
                withdraw_form=logo_withdraw_form,
            ),
            **_dates(),
        },
    )


def _decision_due(tool: Tool) -> bool:
    """Not decided yet, or its review falls within the warning window."""
    if not tool.is_usable:
        return tool.status == ToolStatus.UNDER_REVIEW
    return tool.next_review_on is None or tool.next_review_on <= _dates()["soon"]


def _tool_form(request: AuthenticatedHttpRequest, tool: Tool) -> HttpResponse:
    is_new = tool.pk is None
    form = ToolForm(request.POST or None, instance=tool)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.tool_save(acting_user=request.user, tool=form.save(commit=False))
        except ValidationError as error:
            add_refusal(form, error)
        else:
            if is_new:
                messages.success(
                    request, _("%(tool)s is on the list, under review until it is decided.") % {"tool": saved.name}
                )
            else:
                messages.success(request, _("The details are saved."))
            return redirect(saved)
    return render(
        request,
        "tools/tool_form.html",
        {
            "form": form,
            "tool": None if is_new else tool,
            "approver": in_sentence(tool.district.get_tool_approver_display()),
        },
    )


@login_required
def tool_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = request.user.district
    if district is None or not access.can_maintain_tools(request.user, district):
        raise PermissionDenied
    return _tool_form(request, Tool(district=district))


@login_required
def tool_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tool = access.get_tool_for_user(request.user, pk)
    require(access.can_maintain_tools(request.user, tool.district))
    return _tool_form(request, tool)


@require_POST
@login_required
def tool_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tool = access.get_tool_for_user(request.user, pk)
    capacities = access.decision_capacities(request.user, tool.district, TOOLS)
    require(bool(capacities))
    was_usable = tool.is_usable
    form = ToolDecisionForm(request.POST, capacities=capacities, tool=tool, auto_id="decision_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.tool_decide(
                acting_user=request.user,
                tool=tool,
                status=data["status"],
                decided_as=data["decided_as"],
                conditions=data["conditions"],
                reference=data["decision_reference"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _decision_message(decided, reviewed=was_usable and decided.is_usable))
            return redirect(decided)
    return _tool_page(request, tool, decision_form=form)


def _decision_message(tool: Tool, *, reviewed: bool) -> str:
    if not tool.is_usable:
        return _("Recorded: %(tool)s is not approved. Staff will see it on the list as not to be used.") % {
            "tool": tool.name
        }
    due = tool.next_review_on  # an approved tool always has one
    status = tool.get_status_display().lower()
    if reviewed:
        recorded = _("Review recorded: %(status)s.") % {"status": status}
    else:
        recorded = _("Recorded: %(tool)s is %(status)s.") % {"tool": tool.name, "status": status}
    if not due:
        return recorded
    # The month's name in the reader's language ("F": "March" in English, as before).
    return recorded + " " + _("The next review is due %(day)s.") % {"day": dateformat.format(due, "F j, Y")}


@require_POST
@login_required
def tool_set_aside(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tool = access.get_tool_for_user(request.user, pk)
    require(access.can_maintain_tools(request.user, tool.district))
    form = ToolSetAsideForm(request.POST, auto_id="set_aside_%s")
    if form.is_valid():
        try:
            tool = services.tool_set_aside(acting_user=request.user, tool=tool, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            if tool.status == ToolStatus.RETIRED:
                messages.success(
                    request,
                    _("%(tool)s is retired: staff must stop using it. Its record is kept.") % {"tool": tool.name},
                )
            else:
                messages.success(
                    request,
                    _("%(tool)s is back under review: staff may not use it until decided.") % {"tool": tool.name},
                )
            return redirect(tool)
    return _tool_page(request, tool, set_aside_form=form)


@require_POST
@login_required
def tool_logo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return logo_grant(request, access.get_tool_for_user(request.user, pk), _tool_page)


@require_POST
@login_required
def tool_logo_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return logo_withdraw(request, access.get_tool_for_user(request.user, pk), _tool_page)


# --- Tool requests ------------------------------------------------------------------------------


def _schools_of(user: User) -> QuerySet[School]:
    """The schools a request can be for: the requester's own, or every school for district-wide staff."""
    schools = School.objects.filter(district=user.district_id, active=True).order_by("name")
    own = schools.filter(pk__in=list(scope_for(user).school_roles))
    return own if own.exists() else schools


@login_required
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The approver's queue (oldest first), the person's own requests, and what was decided."""
    user = request.user
    district = user.district
    can_decide = district is not None and access.can_take_decision(user, district, TOOLS)
    visible = access.visible_tool_requests(user)
    if district is not None and can_decide:
        waiting = selectors.tool_requests_waiting(district.pk)
    else:
        waiting = (
            visible.filter(status=ToolRequestStatus.WAITING)
            .exclude(requested_by=user)
            .select_related("requested_by", "school", "tool")
            .order_by("requested_at", "pk")
        )
    mine = (
        visible.filter(requested_by=user)
        .select_related("tool", "school", "decided_by")
        .order_by("-requested_at", "-pk")
    )
    decided = (
        visible.exclude(status=ToolRequestStatus.WAITING)
        .exclude(requested_by=user)
        .select_related("requested_by", "school", "tool", "decided_by")
        .order_by(F("decided_at").desc(nulls_last=True), "-requested_at", "-pk")
    )
    sorting = Sorting(request, REQUEST_SORTS, default="asked_on")
    return render(
        request,
        "tools/request_list.html",
        {
            "sorting": sorting,
            "page": Paginator(sorting.apply(waiting), PAGE_SIZE).get_page(request.GET.get("page")),
            "mine": list(mine[:SHORT_LIST]),
            "decided": list(decided[:SHORT_LIST]),
            "can_decide": can_decide,
            "can_request": access.can_request_tool(user),
            "approver": in_sentence(district.get_tool_approver_display()) if district else "",
        },
    )


@login_required
def request_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    district = user.district
    if district is None or not access.can_request_tool(user):
        raise PermissionDenied
    name = request.GET.get("name", "").replace("\x00", "")[:200]
    form = ToolRequestForm(request.POST or None, schools=_schools_of(user), initial={"tool_name": name})
    if request.method == "POST" and form.is_valid():
        try:
            tool_request = services.tool_request_submit(acting_user=user, tool_request=form.save(commit=False))
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("Your request is sent to %(approver)s. You will see the answer on this page.")
                % {"approver": in_sentence(district.get_tool_approver_display())},
            )
            return redirect(tool_request)
    return render(
        request,
        "tools/request_form.html",
        {"form": form, "approver": in_sentence(district.get_tool_approver_display())},
    )


@login_required
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, access.get_tool_request_for_user(request.user, pk))


def _request_page(
    request: AuthenticatedHttpRequest,
    tool_request: ToolRequest,
    *,
    approve_form: RequestApproveForm | None = None,
    decline_form: RequestDeclineForm | None = None,
) -> HttpResponse:
    user = request.user
    capacities = access.decision_capacities(user, tool_request.district, TOOLS) if tool_request.is_waiting else []
    tool = tool_request.tool
    if tool is None:
        tool = (
            access.visible_tools(user)
            .filter(district=tool_request.district, name__iexact=tool_request.tool_name)
            .first()
        )
    if capacities:
        approve_form = approve_form or RequestApproveForm(capacities=capacities, auto_id="approve_%s")
        decline_form = decline_form or RequestDeclineForm(capacities=capacities, auto_id="decline_%s")
    return render(
        request,
        "tools/request_detail.html",
        {
            "tool_request": tool_request,
            "tool": tool,
            "approve_form": approve_form,
            "decline_form": decline_form,
            "can": {
                "decide": bool(capacities),
                "withdraw": tool_request.is_waiting and tool_request.requested_by_id == user.pk,
            },
            "approver": in_sentence(tool_request.district.get_tool_approver_display()),
            "decided_as": in_sentence(tool_request.get_decided_as_display()),
            "history": history.tool_request_history(tool_request, number=page_number(request)),
        },
    )


def _decider(request: AuthenticatedHttpRequest, pk: int) -> tuple[ToolRequest, list[str]]:
    tool_request = access.get_tool_request_for_user(request.user, pk)
    capacities = access.decision_capacities(request.user, tool_request.district, TOOLS)
    require(bool(capacities))
    return tool_request, capacities


@require_POST
@login_required
def request_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tool_request, capacities = _decider(request, pk)
    form = RequestApproveForm(request.POST, capacities=capacities, auto_id="approve_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.tool_request_approve(
                acting_user=request.user,
                tool_request=tool_request,
                decided_as=data["decided_as"],
                conditions=data["conditions"],
                reference=data["decision_reference"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            # Approving attaches the tool (the one of that name, or a new one).
            name = decided.tool.name if decided.tool is not None else decided.tool_name
            messages.success(request, _("Approved: %(tool)s is on the approved-tool list.") % {"tool": name})
            return redirect(decided)
    return _request_page(request, tool_request, approve_form=form)


@require_POST
@login_required
def request_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tool_request, capacities = _decider(request, pk)
    form = RequestDeclineForm(request.POST, capacities=capacities, auto_id="decline_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.tool_request_decline(
                acting_user=request.user,
                tool_request=tool_request,
                decided_as=data["decided_as"],
                reason=data["decision_reason"],
                reference=data["decision_reference"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Not approved. The person asking can see your reason."))
            return redirect(decided)
    return _request_page(request, tool_request, decline_form=form)


@require_POST
@login_required
def request_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tool_request = access.get_tool_request_for_user(request.user, pk)
    try:
        services.tool_request_withdraw(acting_user=request.user, tool_request=tool_request)
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect(tool_request)


# --- The Superintendent's designees ----------------------------------------------------------------


def _designee_page(
    request: AuthenticatedHttpRequest, district: District, form: DesigneeForm | None = None
) -> HttpResponse:
    can_manage = access.can_manage_designees(request.user, district)
    if can_manage and form is None:
        form = DesigneeForm(district=district)
    designees = Designee.objects.filter(district=district).select_related("user", "designated_by")
    current = list(designees.filter(ends_on__isnull=True).order_by("power", "user__last_name", "user__first_name"))
    open_to_designees = {power for power, _label in powers_open_to_designees(district)}
    powers = [
        {
            "label": label,
            "approver": Approver(access.approver_for(district, power)).label,
            "open": power in open_to_designees,
            "designees": [designee for designee in current if designee.power == power],
        }
        for power, label in ApprovalPower.choices
    ]
    return render(
        request,
        "tools/designee_list.html",
        {
            "district": district,
            "powers": powers,
            "earlier": list(designees.filter(ends_on__isnull=False).order_by("-ends_on", "-pk")[:SHORT_LIST]),
            "form": form,
            "can_manage": can_manage,
            "any_open": bool(open_to_designees),
        },
    )


def _designee_district(request: AuthenticatedHttpRequest) -> District:
    district = request.user.district
    if district is None or not access.can_see_designees(request.user, district):
        raise PermissionDenied
    return district


@login_required
def designee_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _designee_page(request, _designee_district(request))


@require_POST
@login_required
def designee_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = request.user.district
    if district is None or not access.can_manage_designees(request.user, district):
        raise PermissionDenied
    form = DesigneeForm(request.POST, district=district)
    if form.is_valid() and form.user is not None:  # a valid form found the person (clean_email)
        try:
            designee = services.designee_add(
                acting_user=request.user,
                district=district,
                user=form.user,
                power=form.cleaned_data["power"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_refusal(form, error, {"user": "email"})
        else:
            messages.success(
                request,
                _("%(person)s may now decide for you: %(power)s.")
                % {"person": _person(designee.user), "power": designee.get_power_display().lower()},
            )
            return redirect("tools:designee_list")
    return _designee_page(request, district, form)


@require_POST
@login_required
def designee_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    designee = access.get_designee_for_user(request.user, pk)
    services.designee_end(acting_user=request.user, designee=designee)
    messages.success(
        request,
        _("%(person)s no longer decides for you: %(power)s.")
        % {"person": _person(designee.user), "power": designee.get_power_display().lower()},
    )
    return redirect("tools:designee_list")


# --- Speaking for the district ----------------------------------------------------------------


def _spokesperson_district(request: AuthenticatedHttpRequest) -> District:
    district = request.user.district
    if district is None:
        raise Http404
    return district


def _spokesperson_page(
    request: AuthenticatedHttpRequest,
    district: District,
    form: SpokespersonForm | None = None,
    withdraw_form: SpokespersonWithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    capacities = access.decision_capacities(request.user, district, ApprovalPower.SPOKESPERSON)
    if capacities and form is None:
        form = SpokespersonForm(district=district, capacities=capacities)
    today = timezone.localdate()
    register = list(selectors.spokespeople(district)[:200])
    return render(
        request,
        "tools/spokesperson_list.html",
        {
            "district": district,
            "approver": Approver(access.approver_for(district, ApprovalPower.SPOKESPERSON)).label,
            "current": [entry for entry in register if entry.is_current(today)],
            "past": [entry for entry in register if not entry.is_current(today)],
            "form": form,
            "withdraw_form": withdraw_form,
            "can_authorize": bool(capacities),
            "today": today,
        },
        status=status,
    )


@login_required
def spokesperson_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who may speak for the district, on what, authorized by whom, until when: every staff member reads it."""
    return _spokesperson_page(request, _spokesperson_district(request))


@require_POST
@login_required
def spokesperson_grant(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = _spokesperson_district(request)
    capacities = access.decision_capacities(request.user, district, ApprovalPower.SPOKESPERSON)
    if not capacities:
        raise PermissionDenied
    form = SpokespersonForm(request.POST, district=district, capacities=capacities)
    if form.is_valid() and form.person is not None:  # a valid form found the person (clean_email)
        try:
            spokesperson = services.spokesperson_grant(
                acting_user=request.user,
                district=district,
                person=form.person,
                subject=form.cleaned_data["subject"],
                decided_as=form.cleaned_data["decided_as"],
                granted_by_name=form.cleaned_data["granted_by_name"],
                granted_on=form.cleaned_data["granted_on"],
                until=form.cleaned_data["until"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            add_refusal(form, error, {"person": "email"})
        else:
            messages.success(
                request, _("%(person)s may now speak for the district.") % {"person": _person(spokesperson.person)}
            )
            return redirect("tools:spokesperson_list")
    return _spokesperson_page(request, district, form, status=400)


@require_POST
@login_required
def spokesperson_withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = _spokesperson_district(request)
    if not access.can_authorize_spokespeople(request.user, district):
        raise PermissionDenied
    form = SpokespersonWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the authorization to withdraw and say why it ends."))
        return redirect("tools:spokesperson_list")
    spokesperson = access.get_spokesperson_for_user(request.user, form.cleaned_data["spokesperson"])
    try:
        services.spokesperson_withdraw(
            acting_user=request.user, spokesperson=spokesperson, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request, _("%(person)s no longer speaks for the district.") % {"person": _person(spokesperson.person)}
        )
    return redirect("tools:spokesperson_list")
