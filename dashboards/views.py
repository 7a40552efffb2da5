"""Thin views: resolve the school or district through dashboards.access, ask the selectors, render."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from accounts.access import scope_for
from accounts.http import AuthenticatedHttpRequest
from accounts.models import District, Role, School, User
from compliance import obligations, readers, setup
from compliance import selectors as compliance_selectors
from compliance.items import Urgency
from compliance.measures import SchoolMeasures
from compliance.selectors import Section
from core.csv_response import csv_response
from dashboards import access, selectors, snapshots
from dashboards.selectors import DistrictFigures, SchoolDashboard

SCHOOLS_PER_PAGE = 100


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone's list of what they owe. A principal's home is their school's dashboard, with their
    own list beside it; district leadership sees the district's list with their own."""
    user = request.user
    on = timezone.localdate()
    schools = list(access.principal_schools(user))
    districts = list(access.leadership_districts(user))
    own = compliance_selectors.own_sections(user, on)
    if schools and not districts:
        return _school_page(request, schools[0], other_schools=schools, own=own)
    sections = [_district_section(request, district, on) for district in districts]
    sections += [_school_section(request, school) for school in schools]
    sections += own
    return render(
        request,
        "dashboards/home.html",
        {"sections": sections, "summary": _summary(sections), "setups": _setups(user, districts, on)},
    )


def _setups(user: User, districts: list[District], on: datetime.date) -> list[dict[str, Any]]:
    """A technology director's setup checklist of each district they direct, until it is done."""
    directed = scope_for(user).district_ids({Role.DIRECTOR})
    setups = []
    for district in districts:
        if district.pk not in directed:
            continue
        steps = setup.setup_steps(district, on)
        progress = setup.progress(steps)
        if not progress.complete:
            setups.append({"district": district, "steps": steps, "progress": progress})
    return setups


def _district_section(request: AuthenticatedHttpRequest, district: District, on: datetime.date) -> Section:
    figures = snapshots.district_summary(district, on)
    steps = selectors.district_steps(figures, district, readers.at_district(request.user, district))
    checked = obligations.measures_checked(figures.totals, figures.cycle, district.name)
    return compliance_selectors.dashboard_section(district, steps, checked)


def _school_section(request: AuthenticatedHttpRequest, school: School) -> Section:
    dashboard = _school_dashboard(request, school)
    return compliance_selectors.dashboard_section(school, dashboard.steps, dashboard.checked)


def _summary(sections: list[Section]) -> dict[str, Any]:
    """The top of the home page: how many things are owed, or (none) what was checked and what comes next."""
    items = [item for section in sections for item in section.items if item.to_do]
    checked = [entry for section in sections for entry in section.checked]
    dated = [entry for entry in checked if entry.next_due_on is not None]
    return {
        "count": len(items),
        "urgent": sum(1 for item in items if item.urgency == Urgency.URGENT),
        "checked": checked,
        "next_due": min(dated, key=lambda entry: entry.next_due_on or datetime.date.max) if dated else None,
    }


# --- A school ------------------------------------------------------------------------------


def _school_dashboard(request: AuthenticatedHttpRequest, school: School) -> SchoolDashboard:
    names_of = access.disclosure_names_for(request.user, school.district)
    reader = readers.at_school(request.user, school)
    return snapshots.school_dashboard(school, request.user, reader=reader, names_of=names_of, on=timezone.localdate())


def _school_page(
    request: AuthenticatedHttpRequest,
    school: School,
    other_schools: list[School] | None = None,
    own: list[Section] | None = None,
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
            "own": [section for section in own or [] if section.items],
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
    grades = main.grades
    if main.scope.is_written_consent:
        series = [
            {"key": "granted", "label": _("Consent given"), "data": [grade.granted for grade in grades]},
            {"key": "refused", "label": _("Refused or withdrawn"), "data": [grade.refused for grade in grades]},
            {"key": "no_answer", "label": _("No answer: do not post"), "data": [grade.no_answer for grade in grades]},
        ]
    else:  # under an opt-out list, no answer means the picture may be posted
        series = [
            {"key": "refused", "label": _("Opted out: do not post"), "data": [grade.refused for grade in grades]},
            {
                "key": "granted",
                "label": _("May be posted"),
                "data": [grade.granted + grade.no_answer for grade in grades],
            },
        ]
    return {"title": main.scope.name, "labels": [grade.label for grade in grades], "series": series}


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
        reader=readers.at_school(request.user, school),
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
    Column("school", N_("School"), N_("School"), "", lambda m: m.school_name.lower()),
    Column("score", N_("Score"), N_("Score"), "", lambda m: m.score),
    Column("accounts_live", N_("Live accounts"), N_("Live"), N_("Official accounts"), lambda m: m.accounts_live),
    Column(
        "accounts_below_minimum",
        N_("Accounts short of administrators"),
        N_("Too few administrators"),
        N_("Official accounts"),
        lambda m: m.accounts_below_minimum,
    ),
    Column(
        "accounts_review_overdue",
        N_("Account reviews overdue"),
        N_("Review overdue"),
        N_("Official accounts"),
        lambda m: m.accounts_review_overdue,
    ),
    Column(
        "accounts_waiting",
        N_("Account requests waiting"),
        N_("Requests waiting"),
        N_("Official accounts"),
        lambda m: m.accounts_waiting,
    ),
    Column(
        "disclosures_filed",
        N_("Disclosures filed (%)"),
        N_("Filed"),
        N_("Disclosures"),
        lambda m: m.disclosures_percent,
    ),
    Column("disclosures_late", N_("Disclosures late"), N_("Late"), N_("Disclosures"), lambda m: m.disclosures_late),
    Column(
        "consent_answered",
        N_("Families answered (%)"),
        N_("Answered"),
        N_("Photo consent"),
        lambda m: m.consent_percent,
    ),
    Column(
        "consent_refused", N_("Refused or withdrawn"), N_("Refused"), N_("Photo consent"), lambda m: m.consent_refused
    ),
    Column(
        "consent_opt_outs", N_("Opt-outs recorded"), N_("Opted out"), N_("Photo consent"), lambda m: m.consent_opt_outs
    ),
    Column(
        "authorizations_not_ready",
        N_("Class tools missing consent"),
        N_("Missing consent"),
        N_("Class tools"),
        lambda m: m.authorizations_not_ready,
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Under written consent the table follows the answers; under an opt-out list, where no answer means
# the picture may be posted, only the opt-outs recorded.
WRITTEN_CONSENT_ONLY = {"consent_answered", "consent_refused"}
OPT_OUT_ONLY = {"consent_opt_outs"}


def columns_for(figures: DistrictFigures) -> tuple[Column, ...]:
    left_out = OPT_OUT_ONLY if figures.chases_answers else WRITTEN_CONSENT_ONLY
    return tuple(column for column in COLUMNS if column.key not in left_out)


def groups_of(columns: tuple[Column, ...]) -> list[tuple[str, int]]:
    """The table's upper heading row: each group's name and how many columns it spans."""
    return [(name, sum(1 for c in columns if c.group == name)) for name in dict.fromkeys(c.group for c in columns)]


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
    columns = columns_for(figures)
    sort = request.GET.get("sort", "score")
    if sort.lstrip("-") not in {column.key for column in columns}:
        sort = "score"
    query = request.GET.get("q", "").strip()[:100]
    page_number = request.GET.get("page", "")[:10]

    def table() -> str:
        rows = [row for row in figures.rows if query.lower() in row.school_name.lower()] if query else figures.rows
        page = Paginator(_sorted(rows, sort), SCHOOLS_PER_PAGE).get_page(page_number)
        column = _(COLUMN_BY_KEY[sort.lstrip("-")].label).lower()
        sorted_by = _("%(column)s, highest first") % {"column": column} if sort.startswith("-") else column
        context = {"figures": figures, "page": page, "sort": sort, "sorted_by": sorted_by, "query": query}
        context |= {"columns": columns}
        context |= {"groups": groups_of(columns), "request": request}
        return render_to_string("dashboards/_schools_table.html", context)

    variant = f"{sort}\n{query}\n{page_number}\n{translation.get_language()}"
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
            "steps": selectors.district_steps(figures, district, readers.at_district(request.user, district)),
            "chart": {
                "labels": [dateformat.format(point.day, "M j") for point in figures.completion],
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
    columns = columns_for(figures)
    header = [column.label for column in columns] + [
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
            *(column.value(measures) for column in columns[1:]),
            measures.staff_to_file if asked else None,
            measures.disclosures_filed if asked else None,
            measures.students,
            measures.consent_answered if measures.consent_forms_asked else None,
            measures.authorizations_in_force,
        ]
        return ["" if value is None else value for value in values]

    rows = [row_of(measures) for measures in _sorted(figures.rows, "school")] + [row_of(figures.totals)]
    return csv_response(f"{district.name} schools {figures.on:%Y-%m-%d}.csv", header, rows)
