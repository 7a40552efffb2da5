"""What the school and district dashboards show: the figures and lists of compliance/, with the
detail a dashboard adds (who is late, coverage by grade, the completion chart). Nothing here writes.

The figures, the score and the list of what to do come from compliance (compliance.measures,
compliance.selectors), the same definitions the home page and the principal's digest read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Min, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import District, School, Student, User
from authorizations.models import Authorization
from compliance import measures as compliance_measures
from compliance import notions
from compliance import selectors as compliance_selectors
from compliance.items import Checked, Item
from compliance.measures import SchoolMeasures, consent_by, in_force_with_readiness
from compliance.notions import CycleToday
from compliance.readers import Reader
from consent import rules
from consent import selectors as consent_selectors
from consent.models import ConsentScope
from disclosures import selectors as disclosure_selectors
from disclosures.models import Disclosure, DisclosureCycle
from registry import selectors as registry_selectors
from registry.models import SocialAccount

if TYPE_CHECKING:
    from authorizations.selectors import AuthorizationWithReadiness
    from registry.selectors import AccountWithAttention

# How many names a dashboard lists before it links to the full list.
NAMES_SHOWN = 25
SCORE_FORMULA = compliance_measures.SCORE_FORMULA


# --- Grades ----------------------------------------------------------------------------------

_GRADE_NAMES = {"IT": "Infants", "PR": "Preschool", "PK": "Pre-K", "TK": "Transitional K", "KG": "Kindergarten"}


def grade_sort_key(grade: str) -> tuple[int, int, str]:
    if grade in _GRADE_NAMES:
        return (0, list(_GRADE_NAMES).index(grade), grade)
    if grade.isdigit():
        return (1, int(grade), grade)
    return (2 if grade else 3, 0, grade)


def grade_label(grade: str) -> str:
    if grade in _GRADE_NAMES:
        return _GRADE_NAMES[grade]
    if grade.isdigit():
        return f"Grade {int(grade)}"
    return grade or "No grade recorded"


# --- The school dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class GradeCoverage:
    grade: str
    label: str
    granted: int
    refused: int
    no_answer: int

    @property
    def total(self) -> int:
        return self.granted + self.refused + self.no_answer


@dataclass(frozen=True)
class ScopeCoverage:
    scope: ConsentScope
    grades: list[GradeCoverage]

    @property
    def granted(self) -> int:
        return sum(grade.granted for grade in self.grades)

    @property
    def refused(self) -> int:
        return sum(grade.refused for grade in self.grades)

    @property
    def no_answer(self) -> int:
        return sum(grade.no_answer for grade in self.grades)

    @property
    def total(self) -> int:
        return sum(grade.total for grade in self.grades)


@dataclass(frozen=True)
class SchoolDashboard:
    school: School
    on: datetime.date
    computed_at: datetime.datetime
    measures: SchoolMeasures
    accounts: list[AccountWithAttention]
    cycle: DisclosureCycle | None
    cycle_missing: bool
    names_shown: bool
    late: list[User]
    not_started: list[User]
    coverage: list[ScopeCoverage]
    main_scope: ConsentScope | None
    authorizations: list[AuthorizationWithReadiness]
    steps: list[Item] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)


def coverage_by_grade(students: QuerySet[Student], scope: ConsentScope, on: datetime.date) -> list[GradeCoverage]:
    """Granted, refused (or withdrawn) and no answer, per grade, for one scope (one query)."""
    grades = [
        GradeCoverage(
            grade, grade_label(grade), counts["consent_granted"], counts["consent_refused"],
            counts["consent_no_answer"],
        )
        for grade, counts in consent_by(students, scope, on, "grade").items()
    ]  # fmt: skip
    return sorted(grades, key=lambda grade: grade_sort_key(grade.grade))


def school_dashboard(
    school: School, *, reader: Reader, names_of: QuerySet[User] | None, on: datetime.date, complete: bool = False
) -> SchoolDashboard:
    """Everything a principal's home shows about one school (a fixed number of queries).

    `reader` is what the person reading may do (their list offers only that); `names_of` is whose
    disclosure status they may see by name (None: nobody's, the counts only). Lists stop at
    NAMES_SHOWN unless `complete` (the CSV downloads)."""
    shown = None if complete else NAMES_SHOWN
    listed = compliance_selectors.school_list(school, reader, on)
    accounts = SocialAccount.objects.filter(school=school)
    attention = list(
        registry_selectors.needs_attention(accounts, on)
        .select_related("platform")
        .order_by("-is_below_minimum", "-is_review_overdue", "next_review_on", "display_name", "pk")[:shown]
    )

    cycle = listed.cycle.cycle
    late: list[User] = []
    not_started: list[User] = []
    if cycle is not None and names_of is not None:
        # The counts are the school's score, whoever looks; the names only for those who receive them.
        staff = disclosure_selectors.staff_who_must_file(cycle, on).filter(
            pk__in=notions.staff_of_school(school).values("pk")
        )
        named = staff.filter(pk__in=names_of.values("pk"))
        by_name = ("last_name", "first_name", "pk")
        late = list(disclosure_selectors.in_category(named, cycle, "late", on).order_by(*by_name)[:shown])
        not_started = list(
            disclosure_selectors.in_category(named, cycle, "not_started", on)
            .exclude(cycle.overdue_q(on))
            .order_by(*by_name)[:shown]
        )

    students = consent_selectors.school_students(school)
    coverage = [
        ScopeCoverage(scope, coverage_by_grade(students, scope, on))
        for scope in consent_selectors.active_scopes(school.district)
    ]
    in_force = in_force_with_readiness(Authorization.objects.filter(program__school=school), on)
    not_ready = list(
        in_force.filter(is_ready=False)
        .select_related("tool", "program", "staff_member")
        .order_by("starts_on", "pk")[:shown]
    )
    return SchoolDashboard(
        school=school,
        on=on,
        computed_at=timezone.now(),
        measures=listed.measures,
        accounts=attention,
        cycle=cycle,
        cycle_missing=listed.cycle.missing,
        names_shown=cycle is not None and names_of is not None,
        late=late,
        not_started=not_started,
        coverage=coverage,
        main_scope=listed.scope,
        authorizations=not_ready,
        steps=listed.items,
        checked=listed.checked,
    )


# --- The district dashboard ------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionPoint:
    day: datetime.date
    disclosures: int | None  # percent of staff who have filed by that day
    consent: int | None  # percent of students whose family has answered by that day


@dataclass(frozen=True)
class DistrictFigures:
    """The district table, its totals and the completion chart, as plain data (cached whole)."""

    district_id: int
    on: datetime.date
    computed_at: datetime.datetime
    rows: list[SchoolMeasures]
    totals: SchoolMeasures
    cycle: CycleToday
    scope: ConsentScope | None
    completion: list[CompletionPoint]

    @property
    def cycle_id(self) -> int | None:
        return self.cycle.cycle.pk if self.cycle.cycle else None

    @property
    def due_on(self) -> datetime.date | None:
        return self.cycle.cycle.due_on if self.cycle.cycle else None

    @property
    def scope_name(self) -> str:
        return self.scope.name if self.scope else ""

    @property
    def chases_answers(self) -> bool:
        return notions.chases_answers(self.scope)


def _firsts_by_day(queryset: QuerySet[Any], person: str, day: str | Combinable) -> dict[datetime.date, int]:
    """How many people reached something for the first time on each day: the first day per
    person is grouped in the database, so only one row per day comes back."""
    firsts = queryset.order_by().values(person).annotate(first_day=Min(day)).values("first_day")
    sql, params = firsts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT first_day, COUNT(*) FROM ({sql}) firsts GROUP BY first_day", params)
        rows = cursor.fetchall()
    return {datetime.date.fromisoformat(str(first)[:10]): count for first, count in rows if first is not None}


def _cumulative_percent(firsts: dict[datetime.date, int], total: int, days: list[datetime.date]) -> list[int | None]:
    if not total:
        return [None] * len(days)
    ordered = sorted(firsts.items())
    values: list[int | None] = []
    reached, index = 0, 0
    for day in days:
        while index < len(ordered) and ordered[index][0] <= day:
            reached += ordered[index][1]
            index += 1
        values.append(min(100, 100 * reached // total))
    return values


@dataclass(frozen=True)
class DistrictSummary:
    """A district's totals without its rows: what the director's home page needs, cached apart."""

    district_id: int
    on: datetime.date
    computed_at: datetime.datetime
    totals: SchoolMeasures
    cycle: CycleToday
    scope: ConsentScope | None

    @classmethod
    def of(cls, figures: DistrictFigures) -> DistrictSummary:
        return cls(figures.district_id, figures.on, figures.computed_at, figures.totals, figures.cycle, figures.scope)


def completion_over_time(
    district: District,
    on: datetime.date,
    *,
    cycle: DisclosureCycle | None,
    staff_to_file: int,
    scope: ConsentScope | None,
    students: int,
) -> list[CompletionPoint]:
    """Week by week since the school year began: the share of staff who had filed and, where the
    policy asks for written consent, of students whose family had answered (two queries)."""
    start = district.school_year_for(on).starts_on
    if cycle is not None:
        start = min(start, cycle.opens_on)
    days = [start + datetime.timedelta(days=7 * week) for week in range((on - start).days // 7 + 1)]
    if days[-1] != on:
        days.append(on)
    filed: dict[datetime.date, int] = {}
    if cycle is not None:
        filings = Disclosure.objects.filter(
            cycle=cycle,
            submitted_at__isnull=False,
            employee__in=disclosure_selectors.staff_who_must_file(cycle, on).values("pk"),
        )
        filed = _firsts_by_day(filings, "employee", TruncDate("submitted_at"))
    answered: dict[datetime.date, int] = {}
    chased = notions.chases_answers(scope)
    if scope is not None and chased:
        records = rules.counting_records(scope, on).filter(student__district=district, student__active=True)
        answered = _firsts_by_day(records, "student", "received_on")
    disclosures = _cumulative_percent(filed, staff_to_file if cycle else 0, days)
    consent = _cumulative_percent(answered, students if chased else 0, days)
    return [CompletionPoint(day, d, c) for day, d, c in zip(days, disclosures, consent, strict=True)]


def district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    """Every active school's measures, the district's totals and the completion chart (a fixed
    number of queries: one per measure, grouped by school in the database)."""
    on = on or timezone.localdate()
    cycle = notions.cycle_today(district, on)
    scope = compliance_measures.main_scope(district)
    counted = compliance_measures.district_measures(district, on, cycle=cycle, scope=scope)
    return DistrictFigures(
        district_id=district.pk,
        on=on,
        computed_at=timezone.now(),
        rows=counted.rows,
        totals=counted.totals,
        cycle=cycle,
        scope=scope,
        completion=completion_over_time(
            district,
            on,
            cycle=cycle.cycle,
            staff_to_file=counted.totals.staff_to_file,
            scope=scope,
            students=counted.totals.students,
        ),
    )


def district_steps(figures: DistrictFigures | DistrictSummary, district: District, reader: Reader) -> list[Item]:
    """The district's list for `reader`, from its cached figures (the director's home shows it too)."""
    return compliance_selectors.district_items(
        district, figures.totals, cycle=figures.cycle, scope=figures.scope, reader=reader, on=figures.on
    )
