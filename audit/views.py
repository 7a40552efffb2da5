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
from audit.filters import AuditFilter
from audit.forms import PeriodForm
from consent import services as consent_services
from consent.models import ListKind
from core.csv_response import csv_response
from core.pagination import page_number
from core.sorting import SortColumns, Sorting

EXPORT_HEADER = ["When", "Who", "E-mail", "Action", "What", "Name", "School", "Summary", "Changes"]


def _period_form(request: AuthenticatedHttpRequest) -> PeriodForm:
    return PeriodForm(request.GET, today=timezone.localdate(timezone=timezone.get_default_timezone()))


def _refused(request: AuthenticatedHttpRequest, district: District, form: PeriodForm) -> HttpResponse:
    context = {
        "district": district,
        "form": form,
        "filter": AuditFilter(request.GET, district=district),
        "history": None,
        "time_zone": settings.TIME_ZONE,
    }
    return render(request, "audit/log.html", context, status=400)


def _period_subject(period: selectors.Period) -> str:
    return f"audit log from {period.first.isoformat()} to {period.last.isoformat()}"


FILTERS = ("person", "kind", "school", "sort")  # kept in the page's links beside the period
# The log reads newest first; "?sort=when" reads the period from its first day.
SORTS: SortColumns = {"when": []}  # the order itself is audit.selectors.audit_page's


def _query(period: selectors.Period, request: AuthenticatedHttpRequest) -> str:
    """The period as the address writes it, then the filters and the sort the page was asked with."""
    kept = [(name, request.GET[name]) for name in FILTERS if request.GET.get(name)]
    return urlencode([("from", period.first.isoformat()), ("until", period.last.isoformat()), *kept])


@login_required
def audit_log(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_audit_district_for_user(request.user, slug)
    form = _period_form(request)
    if not form.is_valid():
        return _refused(request, district, form)
    period = form.cleaned_data["period"]
    audit_filter = AuditFilter(request.GET, district=district)
    filters = audit_filter.audit_filters()
    sorting = Sorting(request, SORTS, default="-when")
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
            "filter": audit_filter,
            "filters": filters,
            "sorting": sorting,
            "period": period,
            "history": selectors.audit_page(
                district, period, filters, number=page_number(request), oldest_first=not sorting.descending
            ),
            "period_query": _query(period, request),
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
    filters = AuditFilter(request.GET, district=district).audit_filters()
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
        for entry in selectors.audit_entries(district, period, filters)
    )
    return csv_response(
        f"audit-log-{district.slug}-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}.csv", EXPORT_HEADER, rows
    )
