"""The director's page: the reminders each policy sets, what was sent to whom and when, what is next."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.http import AuthenticatedHttpRequest
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
