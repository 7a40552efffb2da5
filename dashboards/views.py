"""Thin views: resolve the school or district through dashboards.access, ask the selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts import selectors as accounts_selectors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import School
from accounts.selectors import NextStep
from core.csv_response import csv_response
from dashboards import access, selectors, snapshots
from dashboards.selectors import SchoolDashboard, SchoolMeasures

SCHOOLS_PER_PAGE = 100


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A principal's home is their school's dashboard; everyone else gets their next steps."""
    user = request.user
    schools = list(access.principal_schools(user))
    districts = list(access.leadership_districts(user))
    if schools and not districts:
        return _school_page(request, schools[0], other_schools=schools)
    steps = [
        NextStep(
            "Open the district dashboard",
            f"Every school of {district.name} in one table: accounts, disclosures, photo consent and tools.",
            reverse("dashboards:district", args=[district.slug]),
        )
        for district in districts
    ]
    steps += [
        NextStep(
            f"Open {school.name}'s dashboard",
            "Your school at a glance.",
            reverse("dashboards:school", args=[school.pk]),
        )
        for school in schools
    ]
    steps += accounts_selectors.next_steps_for_user(user)
    steps.sort(key=lambda step: not step.urgent)  # the dashboards right after anything urgent
    return render(request, "accounts/home.html", {"steps": steps})


# --- A school ------------------------------------------------------------------------------


def _school_dashboard(request: AuthenticatedHttpRequest, school: School) -> SchoolDashboard:
    names_of = access.disclosure_names_for(request.user, school.district)
    return snapshots.school_dashboard(school, request.user, names_of=names_of, on=timezone.localdate())


def _school_page(
    request: AuthenticatedHttpRequest, school: School, other_schools: list[School] | None = None
) -> HttpResponse:
    dashboard = _school_dashboard(request, school)
    return render(
        request,
        "dashboards/school.html",
        {
            "dashboard": dashboard,
            "school": school,
            "other_schools": [other for other in other_schools or [] if other.pk != school.pk],
            "formula": selectors.SCORE_FORMULA,
            "chart": _coverage_chart(dashboard),
            "names_shown": selectors.NAMES_SHOWN,
        },
    )


@login_required
def school_dashboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = access.get_school_dashboard_for_user(request.user, pk)
    return _school_page(request, school, other_schools=list(access.principal_schools(request.user)))


def _coverage_chart(dashboard: SchoolDashboard) -> dict[str, Any] | None:
    main = next((item for item in dashboard.coverage if item.scope == dashboard.main_scope), None)
    if main is None or not main.grades:
        return None
    return {
        "title": main.scope.name,
        "labels": [grade.label for grade in main.grades],
        "series": [
            {"key": "granted", "label": "Consent given", "data": [grade.granted for grade in main.grades]},
            {"key": "refused", "label": "Refused or withdrawn", "data": [grade.refused for grade in main.grades]},
            {"key": "no_answer", "label": "No answer", "data": [grade.no_answer for grade in main.grades]},
        ],
    }


def _school_csv_rows(dashboard: SchoolDashboard, table: str) -> tuple[list[str], list[list[object]]]:
    rows: list[list[object]]
    if table == "accounts":
        header = ["Account", "Platform", "Status", "Administrators", "Below the minimum", "Review overdue", "Review on"]
        rows = [
            [
                account.display_name,
                account.platform.name,
                account.get_status_display(),
                account.administrator_count,
                "yes" if account.is_below_minimum else "no",
                "yes" if account.is_review_overdue else "no",
                account.next_review_on or "",
            ]
            for account in dashboard.accounts
        ]
        return header, rows
    if table == "disclosures" and dashboard.names_shown:
        header = ["Last name", "First name", "E-mail", "Status"]
        rows = [[p.last_name, p.first_name, p.email, "Late"] for p in dashboard.late]
        rows += [[p.last_name, p.first_name, p.email, "Not started"] for p in dashboard.not_started]
        return header, rows
    if table == "consent":
        header = ["Scope", "Grade", "Consent given", "Refused or withdrawn", "No answer", "Students"]
        rows = [
            [item.scope.name, grade.label, grade.granted, grade.refused, grade.no_answer, grade.total]
            for item in dashboard.coverage
            for grade in item.grades
        ]
        return header, rows
    if table == "authorizations":
        header = ["Tool", "Class or program", "Staff member", "From", "Until", "Students covered", "Students enrolled"]
        rows = [
            [item.tool.name, item.program.name, item.staff_member.full_name, item.starts_on, item.ends_on, item.covered,
             item.enrolled]
            for item in dashboard.authorizations
        ]  # fmt: skip
        return header, rows
    raise Http404


@login_required
def school_export(request: AuthenticatedHttpRequest, pk: int, table: str) -> HttpResponseBase:
    school = access.get_school_dashboard_for_user(request.user, pk)
    dashboard = selectors.school_dashboard(
        school,
        names_of=access.disclosure_names_for(request.user, school.district),
        on=timezone.localdate(),
        complete=True,
    )
    header, rows = _school_csv_rows(dashboard, table)
    return csv_response(f"{school.name} {table} {dashboard.on:%Y-%m-%d}.csv", header, rows)


# --- The district ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # in the CSV, where no group heading stands above it
    heading: str  # in the table, under its group's heading
    group: str
    value: Callable[[SchoolMeasures], object]


COLUMNS: tuple[Column, ...] = (
    Column("school", "School", "School", "", lambda m: m.school_name.lower()),
    Column("score", "Score", "Score", "", lambda m: m.score),
    Column("accounts_live", "Live accounts", "Live", "Official accounts", lambda m: m.accounts_live),
    Column(
        "accounts_below_minimum",
        "Accounts short of administrators",
        "Too few administrators",
        "Official accounts",
        lambda m: m.accounts_below_minimum,
    ),
    Column(
        "accounts_review_overdue",
        "Account reviews overdue",
        "Review overdue",
        "Official accounts",
        lambda m: m.accounts_review_overdue,
    ),
    Column(
        "accounts_waiting",
        "Account requests waiting",
        "Requests waiting",
        "Official accounts",
        lambda m: m.accounts_waiting,
    ),
    Column("disclosures_filed", "Disclosures filed (%)", "Filed", "Disclosures", lambda m: m.disclosures_percent),
    Column("disclosures_late", "Disclosures late", "Late", "Disclosures", lambda m: m.disclosures_late),
    Column("consent_answered", "Families answered (%)", "Answered", "Photo consent", lambda m: m.consent_percent),
    Column("consent_refused", "Refused or withdrawn", "Refused", "Photo consent", lambda m: m.consent_refused),
    Column(
        "authorizations_not_ready",
        "Class tools missing consent",
        "Missing consent",
        "Class tools",
        lambda m: m.authorizations_not_ready,
    ),
)
# The table's upper heading row: each group's name and how many columns it spans.
GROUPS = [(name, sum(1 for c in COLUMNS if c.group == name)) for name in dict.fromkeys(c.group for c in COLUMNS)]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def _sorted(rows: list[SchoolMeasures], sort: str) -> list[SchoolMeasures]:
    """Sorted by one column; schools without a value (no score, nobody to count) go last either way."""
    descending = sort.startswith("-")
    column = COLUMN_BY_KEY.get(sort.lstrip("-"), COLUMN_BY_KEY["score"])
    present = [row for row in rows if column.value(row) is not None]
    missing = [row for row in rows if column.value(row) is None]
    present.sort(key=lambda row: (column.value(row), row.school_name.lower()), reverse=descending)
    return present + sorted(missing, key=lambda row: row.school_name.lower())


@login_required
def district_dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_district_dashboard_for_user(request.user, slug)
    figures = snapshots.district_figures(district, timezone.localdate())
    sort = request.GET.get("sort", "score")
    if sort.lstrip("-") not in COLUMN_BY_KEY:
        sort = "score"
    query = request.GET.get("q", "").strip()[:100]
    page_number = request.GET.get("page", "")[:10]

    def table() -> str:
        rows = [row for row in figures.rows if query.lower() in row.school_name.lower()] if query else figures.rows
        page = Paginator(_sorted(rows, sort), SCHOOLS_PER_PAGE).get_page(page_number)
        sorted_by = COLUMN_BY_KEY[sort.lstrip("-")].label.lower() + (", highest first" if sort.startswith("-") else "")
        context = {"figures": figures, "page": page, "sort": sort, "sorted_by": sorted_by, "query": query}
        context |= {"columns": COLUMNS}
        context |= {"groups": GROUPS, "request": request}
        return render_to_string("dashboards/_schools_table.html", context)

    variant = f"{sort}\n{query}\n{page_number}"
    return render(
        request,
        "dashboards/district.html",
        {
            "district": district,
            "figures": figures,
            # The table is our own template's output, autoescaped when it was drawn.
            "table": mark_safe(snapshots.rendered(figures, variant, table)),  # noqa: S308  # nosec B308 B703
            "sort": sort,
            "query": query,
            "formula": selectors.SCORE_FORMULA,
            "steps": selectors.next_steps(figures.totals, cycle=None, on=figures.on),
            "chart": {
                "labels": [f"{point.day:%b} {point.day.day}" for point in figures.completion],
                "disclosures": [point.disclosures for point in figures.completion],
                "consent": [point.consent for point in figures.completion],
                "scope": figures.scope_name,
            },
        },
    )


@login_required
def district_export(request: AuthenticatedHttpRequest, slug: str) -> HttpResponseBase:
    district = access.get_district_dashboard_for_user(request.user, slug)
    figures = snapshots.district_figures(district, timezone.localdate())
    header = [column.label for column in COLUMNS] + [
        "Staff who must file",
        "Disclosures filed (people)",
        "Students",
        "Families answered (students)",
        "Authorizations in force",
    ]

    def row_of(measures: SchoolMeasures) -> list[object]:
        asked = measures.disclosures_asked
        values = [
            measures.school_name,
            *(column.value(measures) for column in COLUMNS[1:]),
            measures.staff_to_file if asked else None,
            measures.disclosures_filed if asked else None,
            measures.students,
            measures.consent_answered,
            measures.authorizations_in_force,
        ]
        return ["" if value is None else value for value in values]

    rows = [row_of(measures) for measures in _sorted(figures.rows, "school")] + [row_of(figures.totals)]
    return csv_response(f"{district.name} schools {figures.on:%Y-%m-%d}.csv", header, rows)
