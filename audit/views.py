"""The district's audit log: a page per period and its CSV export. Thin: access, the period's form,
one selector."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from accounts.http import AuthenticatedHttpRequest
from accounts.models import District
from audit import access, selectors
from audit.forms import PeriodForm
from consent import services as consent_services
from consent.models import ListKind
from core.csv_response import csv_response
from core.pagination import page_number

EXPORT_HEADER = ["When", "Who", "E-mail", "Action", "What", "Name", "School", "Summary", "Changes"]


def _period_form(request: AuthenticatedHttpRequest) -> PeriodForm:
    return PeriodForm(request.GET, today=timezone.localdate(timezone=timezone.get_default_timezone()))


def _refused(request: AuthenticatedHttpRequest, district: District, form: PeriodForm) -> HttpResponse:
    context = {"district": district, "form": form, "history": None, "time_zone": settings.TIME_ZONE}
    return render(request, "audit/log.html", context, status=400)


def _period_subject(period: selectors.Period) -> str:
    return f"audit log from {period.first.isoformat()} to {period.last.isoformat()}"


@login_required
def audit_log(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_audit_district_for_user(request.user, slug)
    form = _period_form(request)
    if not form.is_valid():
        return _refused(request, district, form)
    period = form.cleaned_data["period"]
    # The log names students beside the answers their families gave: a view of consent status.
    consent_services.list_view_record(
        user=request.user, district=district, kind=ListKind.AUDIT_LOG, subject=_period_subject(period)
    )
    return render(
        request,
        "audit/log.html",
        {
            "district": district,
            "form": form,
            "period": period,
            "history": selectors.audit_page(district, period, number=page_number(request)),
            "period_query": urlencode({"from": period.first.isoformat(), "until": period.last.isoformat()}),
            "time_zone": settings.TIME_ZONE,
        },
    )


@login_required
def audit_export(request: AuthenticatedHttpRequest, slug: str) -> HttpResponseBase:
    district = access.get_audit_district_for_user(request.user, slug)
    form = _period_form(request)
    if not form.is_valid():
        return _refused(request, district, form)
    period = form.cleaned_data["period"]
    consent_services.list_view_record(
        user=request.user, district=district, kind=ListKind.AUDIT_EXPORT, subject=_period_subject(period)
    )
    local = timezone.get_default_timezone()
    rows = (
        [
            timezone.localtime(entry.when, local).strftime("%Y-%m-%d %H:%M:%S"),
            entry.who,
            entry.who_email,
            entry.action,
            entry.kind,
            entry.name,
            entry.school,
            entry.summary,
            entry.changes_text(),
        ]
        for entry in selectors.audit_entries(district, period)
    )
    return csv_response(
        f"audit-log-{district.slug}-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}.csv", EXPORT_HEADER, rows
    )
