"""The director's page: the reminders each policy sets, what was sent to whom and when, what is next."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from compliance import selectors as compliance_selectors
from core import bulk
from core.refusals import require, show_refusal
from disclosures import access as disclosure_access
from disclosures import tracking
from reminders import access, selectors, services
from reminders.forms import LogFilterForm
from reminders.kinds import KINDS_BY_KEY

PAGE_SIZE = 50
SUMMARY_DAYS = 30


@login_required
def reminder_log(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_log_district_for_user(request.user, slug)
    form = LogFilterForm(request.GET or None)
    wanted = form.cleaned_data if form.is_valid() else {"kind": "", "status": ""}
    reminders = selectors.log_of(district, kind=wanted["kind"], status=wanted["status"])
    page = Paginator(reminders, PAGE_SIZE).get_page(request.GET.get("page"))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    next_day = services.new_on(tomorrow, district)
    since = timezone.now() - datetime.timedelta(days=SUMMARY_DAYS)
    totals = [{**row, "next": next_day[row["kind"].key]} for row in selectors.totals_by_kind(district, since)]
    for reminder in page:
        kind = KINDS_BY_KEY.get(reminder.kind)
        reminder.label = kind.label if kind else reminder.kind  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "reminders/log.html",
        {
            "district": district,
            "form": form,
            "page": page,
            "totals": totals,
            "summary_days": SUMMARY_DAYS,
            "tomorrow": tomorrow,
            "last_plan": selectors.last_plan_run(),
            "plan_hour": datetime.time(settings.REMINDER_PLAN_HOUR),
        },
    )


@login_required
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What one staff member owes now, the e-mails sent to them, and "Send now"."""
    member = access.get_remindable_for_user(request.user, pk)
    today = timezone.localdate()
    reminders = selectors.to_person(member)
    for reminder in reminders:
        kind = KINDS_BY_KEY.get(reminder.kind)
        reminder.label = kind.label if kind else reminder.kind  # type: ignore[attr-defined]  # for the template
    items = [item for item in compliance_selectors.own_owed(member, today).items if item.to_do]
    return render(
        request,
        "reminders/person.html",
        {
            "member": member,
            "items": sorted(items, key=lambda item: item.sort_key()),
            "sent_now": selectors.sent_now_today(member, today),
            "reminders": reminders,
        },
    )


@login_required
@require_POST
def send_now(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_remindable_for_user(request.user, pk)
    try:
        _reminder, claimed = services.reminder_send_now(acting_user=request.user, person=member)
    except ValidationError as error:
        show_refusal(request, error)
    else:
        if claimed:
            messages.success(request, _("%(member)s's reminder is on its way.") % {"member": member})
        else:
            messages.info(request, _("%(member)s was already sent their reminder today.") % {"member": member})
    return redirect("reminders:person", pk=member.pk)


@login_required
def disclosure_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The people chosen on a cycle's tracking list: who will be reminded now (GET), then reminding
    them through the reminder log (POST). "All matching" is the tracking list, read again now."""
    cycle = disclosure_access.get_cycle_for_user(request.user, pk)
    require(disclosure_access.can_manage_cycles(request.user, cycle.district))
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    context: dict[str, Any] = {"cycle": cycle, "back": reverse("disclosures:cycle_detail", args=[cycle.pk])}
    today = timezone.localdate()
    try:
        selection = bulk.selection_from(data, tracking.FILTERS)
        tracked = tracking.tracked(request.user, cycle, selection.filter_data(), today)
        people = bulk.chosen(selection, matching=tracked.listed, visible=tracked.staff.order_by("last_name", "pk"))
    except bulk.TooMany as error:
        return render(request, "reminders/disclosure_remind.html", {**context, "refusal": error.message}, status=400)
    context.update(selection=selection, back=f"{context['back']}?{selection.filter_query()}")
    if posted:
        context["result"] = services.disclosure_remind_many(acting_user=request.user, cycle=cycle, people=people)
    else:
        refusal = services.disclosure_remind_refusal(request.user, cycle, people, today)
        context["preview"] = bulk.preview(people, refusal)
        context["way"] = bulk.way_of(services.DISCLOSURE_REMIND_ALL_OR_NOTHING)
    return render(request, "reminders/disclosure_remind.html", context)
