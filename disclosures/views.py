"""Thin views over disclosures: resolve the object through disclosures.access, call one
service or selector, render or redirect. Refusals come back as messages, never as errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import get_district_for_user
from accounts.http import AuthenticatedHttpRequest
from accounts.selectors import current_policy_documents
from core.counted import counted
from core.csv_response import csv_response
from core.history import history_page_number as page_number
from core.pagination import page_by_ids
from core.refusals import show_refusal
from core.sorting import SortColumns, Sorting
from disclosures import access, selectors, services, tracking
from disclosures.forms import (
    CommentForm,
    CycleForm,
    NetworkForm,
    NoneForm,
    ReviewForm,
    SignatureForm,
)
from disclosures.history import disclosure_history
from disclosures.models import Disclosure, DisclosureCycle, DisclosureState, ReviewVisibility

PAGE_SIZE = 100


def _feature_on(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Pages of a district whose policy asks for no disclosure explain that instead."""

    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        district = request.user.district
        if not access.enabled(district) and not request.user.is_superuser:
            return render(request, "disclosures/not_required.html", {"district": district}, status=404)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


# --- The employee ---------------------------------------------------------------------------


@_feature_on
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    cycle = selectors.cycle_for_year(user.district, today) if user.district is not None else None
    mine = list(selectors.own_disclosures(user))
    current = [disclosure for disclosure in mine if cycle and disclosure.cycle_id == cycle.pk]
    return render(
        request,
        "disclosures/home.html",
        {
            "cycle": cycle,
            "due_on": cycle.due_on_for(user.started_on) if cycle else None,
            "filing": next((d for d in current if not d.is_draft), None),
            "draft": next((d for d in current if d.is_draft), None),
            "earlier": [disclosure for disclosure in mine if not cycle or disclosure.cycle_id != cycle.pk],
            "review_count": selectors.review_queue(access.visible_disclosures(user), user).count(),
            "can_track": access.can_review_anyone(user),
            "can_manage": access.can_manage_cycles(user, user.district) if user.district_id else False,
            "is_open": bool(cycle and cycle.is_open(today)),
            "today": today,
        },
    )


@require_POST
@_feature_on
def start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_for_user(request.user, pk)
    try:
        draft = services.disclosure_start(acting_user=request.user, cycle=cycle)
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("disclosures:home")
    return redirect("disclosures:edit", draft.pk)


@_feature_on
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    disclosure = access.get_disclosure_for_user(user, pk)
    is_employee = disclosure.employee_id == user.pk
    comments = disclosure.comments.select_related("author")
    if is_employee:
        comments = comments.filter(visibility=ReviewVisibility.EMPLOYEE)
    return render(
        request,
        "disclosures/detail.html",
        {
            "disclosure": disclosure,
            "cycle": disclosure.cycle,
            "networks": disclosure.networks.select_related("school", "program"),
            "comments": comments,
            "versions": selectors.versions(disclosure)
            if is_employee
            else selectors.versions(disclosure).exclude(state=DisclosureState.DRAFT),
            "history": disclosure_history(disclosure, number=page_number(request), signed_only=not is_employee),
            "is_employee": is_employee,
            "can_comment": (can_comment := not is_employee and access.can_review(user, disclosure)),
            "can_review": can_comment and disclosure.awaits_review,
            "review_form": ReviewForm(),
            "comment_visibility": ReviewVisibility.choices,
            "signature_form": SignatureForm(initial={"signed_hash": disclosure.cycle.attestation_hash}),
            "due_on": disclosure.due_on(),
        },
    )


@_feature_on
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_own_disclosure_for_user(request.user, pk)
    if not disclosure.is_draft:
        return redirect("disclosures:detail", disclosure.pk)
    return _edit_page(request, disclosure)


def _edit_page(
    request: AuthenticatedHttpRequest,
    disclosure: Disclosure,
    *,
    network_form: NetworkForm | None = None,
    signature_form: SignatureForm | None = None,
    status: int = 200,
) -> HttpResponse:
    cycle = disclosure.cycle
    networks = list(disclosure.networks.select_related("school", "program"))
    return render(
        request,
        "disclosures/edit.html",
        {
            "disclosure": disclosure,
            "cycle": cycle,
            "carried": [network for network in networks if not network.confirmed],
            "networks": [network for network in networks if network.confirmed],
            "network_form": network_form or NetworkForm(district=cycle.district),
            "none_form": NoneForm(initial={"takes_part_in_none": disclosure.takes_part_in_none}),
            "signature_form": signature_form or SignatureForm(initial={"signed_hash": cycle.attestation_hash}),
            "problems": services.submission_problems(disclosure),
            "due_on": disclosure.due_on(),
            # The policy the employee attests under, shown beside the attestation.
            "policy_documents": list(current_policy_documents(cycle.district)),
        },
        status=status,
    )


@require_POST
@_feature_on
def network_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_own_disclosure_for_user(request.user, pk)
    form = NetworkForm(request.POST, district=disclosure.cycle.district)
    if not form.is_valid():
        return _edit_page(request, disclosure, network_form=form, status=400)
    try:
        services.network_add(acting_user=request.user, disclosure=disclosure, **form.cleaned_data)
    except ValidationError as error:
        show_refusal(request, error)
    return redirect("disclosures:edit", disclosure.pk)


@_feature_on
def network_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    network = access.get_own_network_for_user(request.user, pk)
    disclosure = network.disclosure
    form = NetworkForm(request.POST or None, instance=network, district=disclosure.cycle.district)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_update(acting_user=request.user, network=network, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(request, error)
        return redirect("disclosures:edit", disclosure.pk)
    if not disclosure.is_draft:
        return redirect("disclosures:detail", disclosure.pk)
    return render(
        request,
        "disclosures/network_form.html",
        {"form": form, "network": network, "disclosure": disclosure},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@_feature_on
def network_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    network = access.get_own_network_for_user(request.user, pk)
    actions = {"confirm": services.network_confirm, "remove": services.network_remove}
    if action not in actions:
        raise PermissionDenied
    try:
        actions[action](acting_user=request.user, network=network)
    except ValidationError as error:
        show_refusal(request, error)
    return redirect("disclosures:edit", network.disclosure_id)


@require_POST
@_feature_on
def set_none(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_own_disclosure_for_user(request.user, pk)
    form = NoneForm(request.POST)
    form.is_valid()
    try:
        services.disclosure_set_none(
            acting_user=request.user,
            disclosure=disclosure,
            takes_part_in_none=bool(form.cleaned_data.get("takes_part_in_none")),
        )
        messages.success(request, _("Draft saved."))
    except ValidationError as error:
        show_refusal(request, error)
    return redirect("disclosures:edit", disclosure.pk)


@require_POST
@_feature_on
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_own_disclosure_for_user(request.user, pk)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, disclosure, signature_form=form, status=400)
    try:
        services.disclosure_submit(acting_user=request.user, disclosure=disclosure, **form.cleaned_data)
    except ValidationError as error:
        show_refusal(request, error)
        return (
            redirect("disclosures:edit", disclosure.pk)
            if disclosure.is_draft
            else redirect("disclosures:detail", disclosure.pk)
        )
    if disclosure.filed_late:
        messages.success(
            request, _("Your disclosure is signed and filed. It was filed after your due date and is marked late.")
        )
    else:
        messages.success(request, _("Your disclosure is signed and filed."))
    return redirect("disclosures:detail", disclosure.pk)


@require_POST
@_feature_on
def amend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_own_disclosure_for_user(request.user, pk)
    try:
        draft = services.disclosure_amend(acting_user=request.user, disclosure=disclosure)
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("disclosures:detail", disclosure.pk)
    return redirect("disclosures:edit", draft.pk)


@require_POST
@_feature_on
def discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_own_disclosure_for_user(request.user, pk)
    filed = disclosure.amends_id
    try:
        services.disclosure_discard_draft(acting_user=request.user, disclosure=disclosure)
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("disclosures:edit", disclosure.pk)
    messages.success(request, _("The unsent changes were discarded; your filed disclosure is unchanged."))
    return redirect("disclosures:detail", filed)


@require_POST
@_feature_on
def sign_again(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_own_disclosure_for_user(request.user, pk)
    form = SignatureForm(request.POST)
    if form.is_valid():
        try:
            services.disclosure_sign_again(acting_user=request.user, disclosure=disclosure, **form.cleaned_data)
            messages.success(request, _("Thank you: you have signed the current attestation."))
        except ValidationError as error:
            show_refusal(request, error)
    else:
        messages.error(request, _("Type your full name to sign."))
    return redirect("disclosures:detail", disclosure.pk)


# --- Reviewers ------------------------------------------------------------------------------


@require_POST
@_feature_on
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    disclosure = access.get_reviewable_disclosure_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("disclosures:detail", disclosure.pk)
    data = form.cleaned_data
    action = services.disclosure_accept if data["decision"] == "accept" else services.disclosure_return
    try:
        action(
            acting_user=request.user,
            disclosure=disclosure,
            comment=data["comment"],
            visibility=data["visibility"] or ReviewVisibility.EMPLOYEE,
        )
    except ValidationError as error:
        show_refusal(request, error)
        return redirect("disclosures:detail", disclosure.pk)
    name = disclosure.employee.full_name or disclosure.employee.email
    if data["decision"] == "accept":
        messages.success(request, _("%(name)s's disclosure is accepted.") % {"name": name})
    else:
        messages.success(request, _("%(name)s's disclosure is returned for revision.") % {"name": name})
    return redirect("disclosures:review_queue")


@require_POST
@_feature_on
def comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A reviewer's note without a decision: for the employee, or for reviewers only."""
    disclosure = access.get_reviewable_disclosure_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("disclosures:detail", disclosure.pk)
    try:
        services.disclosure_comment_add(
            acting_user=request.user,
            disclosure=disclosure,
            text=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"] or ReviewVisibility.INTERNAL,
        )
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Your note is added."))
    return redirect("disclosures:detail", disclosure.pk)


@_feature_on
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    queue = selectors.review_queue(access.visible_disclosures(request.user), request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disclosures/review_queue.html", {"page": page})


# --- Cycles and tracking ----------------------------------------------------------------------


@_feature_on
def cycle_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = request.user.district
    if not (access.can_review_anyone(request.user) or access.can_manage_cycles(request.user, district)):
        raise PermissionDenied
    cycles = access.visible_cycles(request.user).select_related("district")
    return render(
        request,
        "disclosures/cycle_list.html",
        {"cycles": cycles, "can_manage": access.can_manage_cycles(request.user, district)},
    )


@_feature_on
def cycle_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = get_district_for_user(request.user, slug)
    if not access.can_manage_cycles(request.user, district):
        raise PermissionDenied
    form = CycleForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.disclosure_cycle_create(acting_user=request.user, district=district, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The %(year)s disclosure cycle is set up.") % {"year": cycle.school_year.label})
            return redirect(cycle)
    return render(request, "disclosures/cycle_form.html", {"form": form, "district": district})


@_feature_on
def cycle_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_managed_cycle_for_user(request.user, pk)
    form = CycleForm(request.POST or None, instance=cycle, district=cycle.district)
    if request.method == "POST" and form.is_valid():
        try:
            must_sign = services.disclosure_cycle_update(acting_user=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if must_sign:
                messages.success(
                    request,
                    ngettext(
                        "The cycle is saved. %(count)d person who signed the earlier text is asked to sign again.",
                        "The cycle is saved. %(count)d people who signed the earlier text are asked to sign again.",
                        must_sign,
                    )
                    % {"count": must_sign},
                )
            else:
                messages.success(request, _("The cycle is saved."))
            return redirect(cycle)
    return render(request, "disclosures/cycle_form.html", {"form": form, "district": cycle.district, "cycle": cycle})


# The tracking list's sortable columns (core.sorting). A person is due later the later they started
# (DisclosureCycle.due_on_for); disclosure_state is selectors.with_status's.
TRACKING_SORTS: SortColumns = {
    "name": ["last_name", "first_name"],
    "due": [F("started_on").asc(nulls_first=True), "last_name", "first_name"],
    "status": ["disclosure_state", "last_name", "first_name"],
}


@_feature_on
def cycle_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """Tracking: who has filed, who has not started, who is late, per school and person."""
    user = request.user
    cycle = access.get_cycle_for_user(user, pk)
    if not access.can_track(user, cycle.district):
        raise PermissionDenied
    today = timezone.localdate()
    found = tracking.tracked(user, cycle, request.GET, today)
    form, staff, schools, data = found.form, found.staff, found.schools, found.data
    sorting = Sorting(request, TRACKING_SORTS, default="name")
    tracked = sorting.apply(found.listed)
    if request.GET.get("format") == "csv":
        return _tracking_csv(cycle, tracked)
    # The totals and the per-school table count everyone the reader follows (150,000 staff at the
    # largest district): kept a minute per reader; the names below are always live.
    counts = counted(
        f"disclosures:tracking:{cycle.pk}:{user.pk}:{today}",
        lambda: (
            selectors.tracking_totals(staff, cycle, today),
            selectors.tracking_by_school(staff, cycle, schools, today),
        ),
    )
    totals, by_school = counts.value
    known = None if data.get("school") or data.get("q") else totals[data.get("category") or "total"]
    page = page_by_ids(tracked, request.GET.get("page"), PAGE_SIZE, count=known)
    return render(
        request,
        "disclosures/cycle_detail.html",
        {
            "cycle": cycle,
            "form": form,
            "sorting": sorting,
            "page": page,
            "rows": [(person, cycle.due_on_for(person.started_on)) for person in page],
            "totals": totals,
            "counted_at": counts.counted_at,
            "by_school": by_school,
            "chart": _chart_data(by_school) if 1 < len(by_school) <= CHARTED_SCHOOLS else None,
            "counts_seconds": settings.COUNTS_MAX_AGE_SECONDS,
            "categories": selectors.CATEGORIES,
            "can_manage": access.can_manage_cycles(user, cycle.district),
            "export_query": request.GET.urlencode(),
            "today": today,
            # Reminding several people now (the reminders app; core.bulk): who manages the cycles.
            "bulk_actions": [(reverse("reminders:disclosure_remind", args=[cycle.pk]), _("Remind them now…"))]
            if access.can_manage_cycles(user, cycle.district)
            else [],
            "bulk_filters": [
                (name, str(value)) for name, value in request.GET.items() if name in tracking.FILTERS and value
            ],
        },
    )


# A bar per school reads well up to this many schools; a larger district reads the table instead.
CHARTED_SCHOOLS = 60


def _chart_data(by_school: list[dict[str, Any]]) -> dict[str, Any]:
    series = [
        ("accepted", _("Accepted")),
        ("waiting_review", _("Waiting for review")),
        ("returned", _("Returned")),
        ("draft", _("Draft")),
        ("not_started", _("Not started")),
    ]
    return {
        "height": 60 + 28 * len(by_school),
        "labels": [row["school"].name for row in by_school],
        "series": [{"key": key, "label": label, "data": [row[key] for row in by_school]} for key, label in series],
    }


def _tracking_csv(cycle: DisclosureCycle, listed: QuerySet[selectors.StaffWithStatus]) -> StreamingHttpResponse:
    header = ["Last name", "First name", "E-mail", "Employee id", "Due on", "Status", "Filed late"]
    states = dict(Disclosure._meta.get_field("state").flatchoices)

    def rows() -> Any:
        for person in listed.iterator(chunk_size=2000):
            yield [
                person.last_name,
                person.first_name,
                person.email,
                person.employee_id,
                cycle.due_on_for(person.started_on).isoformat(),
                states.get(person.disclosure_state, "Not started"),
                "yes" if person.filing_late else "",
            ]

    return csv_response(f"disclosures-{cycle.school_year_start}.csv", header, rows())
