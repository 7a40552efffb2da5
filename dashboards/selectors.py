"""What the school and district dashboards show, asked of the domain apps' selectors.

Everything is counted in the database. A school's dashboard issues the same number of queries
for 50 students as for 5,000, and the district's table one query per measure for all its
schools together (grouped by school), whatever their number. Nothing here writes.

A school's row in the district table and the figures on its own dashboard come from the same
definitions (`SchoolMeasures`), so the two never disagree about a school's score.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import District, School, Student, User
from accounts.selectors import school_staff
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization
from consent import rules
from consent import selectors as consent_selectors
from consent.models import ConsentScope
from disclosures import selectors as disclosure_selectors
from disclosures.access import enabled as disclosures_enabled
from disclosures.models import Disclosure, DisclosureCycle
from registry import selectors as registry_selectors
from registry.models import LIVE_STATUSES, AccountStatus, SocialAccount

if TYPE_CHECKING:
    from authorizations.selectors import AuthorizationWithReadiness
    from registry.selectors import AccountWithAttention

# How many names a dashboard lists before it links to the full list.
NAMES_SHOWN = 25

WAITING_FOR_DECISION = (AccountStatus.REQUESTED, AccountStatus.AWAITING_COMMUNICATIONS)


# --- The measures and the score ------------------------------------------------------------


def _percent(done: int, total: int) -> int | None:
    # Rounded down, so 99.6% never shows as 100% while someone is still missing.
    return 100 * done // total if total else None


@dataclass(frozen=True)
class Part:
    """One part of the compliance score: `done` out of `total`."""

    key: str
    label: str
    done: int
    total: int

    @property
    def percent(self) -> int | None:
        return _percent(self.done, self.total)


SCORE_FORMULA = (
    "The score is the average of the parts that apply to the school, each a percentage: "
    "live accounts in good standing (enough administrators, review not overdue) out of live accounts; "
    "staff who have filed their disclosure out of staff who must file; "
    "students whose family has answered out of students (only where the policy asks for written consent); "
    "authorizations to use a tool with students that are ready out of those in force. "
    "A part with nothing to count is left out; a school with no part has no score."
)


@dataclass(frozen=True)
class SchoolMeasures:
    """The figures a school is judged by, on its dashboard and in the district's table."""

    school_id: int
    school_name: str
    accounts_live: int = 0
    accounts_below_minimum: int = 0
    accounts_review_overdue: int = 0
    accounts_review_due_soon: int = 0
    accounts_waiting: int = 0
    accounts_good: int = 0
    disclosures_asked: bool = False
    staff_to_file: int = 0
    disclosures_filed: int = 0
    disclosures_late: int = 0
    disclosures_not_started: int = 0
    students: int = 0
    consent_granted: int = 0
    consent_refused: int = 0
    consent_no_answer: int = 0
    consent_forms_asked: bool = False
    authorizations_in_force: int = 0
    authorizations_not_ready: int = 0

    @property
    def consent_answered(self) -> int:
        return self.students - self.consent_no_answer

    @property
    def disclosures_percent(self) -> int | None:
        return _percent(self.disclosures_filed, self.staff_to_file) if self.disclosures_asked else None

    @property
    def consent_percent(self) -> int | None:
        return _percent(self.consent_answered, self.students)

    @property
    def parts(self) -> list[Part]:
        parts = [Part("accounts", "Accounts in good standing", self.accounts_good, self.accounts_live)]
        if self.disclosures_asked:
            parts.append(Part("disclosures", "Disclosures filed", self.disclosures_filed, self.staff_to_file))
        if self.consent_forms_asked:
            parts.append(Part("consent", "Families who have answered", self.consent_answered, self.students))
        parts.append(
            Part(
                "authorizations",
                "Authorizations ready",
                self.authorizations_in_force - self.authorizations_not_ready,
                self.authorizations_in_force,
            )
        )
        return parts

    # Worked out once, when the figures are counted: a table of 1,870 schools sorts by it.
    score: int | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        shares = [part.done / part.total for part in self.parts if part.total]
        object.__setattr__(self, "score", round(100 * sum(shares) / len(shares)) if shares else None)


def _sum(rows: Iterable[SchoolMeasures], name: str) -> int:
    return sum(getattr(row, name) for row in rows)


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


# --- Shared pieces ---------------------------------------------------------------------------


def _account_counts() -> dict[str, Count]:
    return {
        "accounts_live": Count("pk", filter=Q(status__in=LIVE_STATUSES)),
        "accounts_below_minimum": Count("pk", filter=Q(is_below_minimum=True)),
        "accounts_review_overdue": Count("pk", filter=Q(is_review_overdue=True)),
        "accounts_review_due_soon": Count("pk", filter=Q(is_review_due_soon=True)),
        "accounts_waiting": Count("pk", filter=Q(status__in=WAITING_FOR_DECISION)),
        "accounts_good": Count(
            "pk", filter=Q(status__in=LIVE_STATUSES, is_below_minimum=False, is_review_overdue=False)
        ),
    }


CONSENT_FIELDS = ("students", "consent_granted", "consent_refused", "consent_no_answer")
_FIELD_OF_ANSWER = {
    rules.Standing.GRANTED: "consent_granted",
    rules.Standing.REFUSED: "consent_refused",
    rules.Standing.WITHDRAWN: "consent_refused",
    None: "consent_no_answer",
}


def _consent_by(
    students: QuerySet[Student], scope: ConsentScope, on: datetime.date, key: str
) -> dict[Any, dict[str, int]]:
    """Students per `key` (grade, school) and answer, for one scope (one query). Grouping by the
    answer looks it up once per student, where a count per answer would look it up three times."""
    rows = (
        rules.annotate_standing(students, scope, on).values(key, "consent_decision").annotate(n=Count("pk")).order_by()
    )
    grouped: dict[Any, dict[str, int]] = {}
    for row in rows:
        counts = grouped.setdefault(row[key], dict.fromkeys(CONSENT_FIELDS, 0))
        counts["students"] += row["n"]
        counts[_FIELD_OF_ANSWER[row["consent_decision"]]] += row["n"]
    return grouped


def _authorization_counts() -> dict[str, Count]:
    return {
        "authorizations_in_force": Count("pk"),
        "authorizations_not_ready": Count("pk", filter=Q(is_ready=False)),
    }


def _in_force_with_readiness(
    authorizations: QuerySet[Authorization], on: datetime.date
) -> QuerySet[AuthorizationWithReadiness]:
    return authorization_selectors.with_readiness(
        authorization_selectors.authorizations_in_force(authorizations, on), on
    )


def current_cycle(district: District, on: datetime.date) -> DisclosureCycle | None:
    """The cycle a dashboard tracks: this school year's, once it has opened."""
    if not disclosures_enabled(district):
        return None
    cycle = disclosure_selectors.cycle_for_year(district, on)
    return cycle if cycle is not None and cycle.opens_on <= on else None


def _disclosure_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "disclosures_asked": True,
        "staff_to_file": row["total"],
        "disclosures_filed": row["filed"],
        "disclosures_late": row["late"],
        "disclosures_not_started": row["not_started"],
    }


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
    names_shown: bool
    late: list[User]
    not_started: list[User]
    coverage: list[ScopeCoverage]
    main_scope: ConsentScope | None
    authorizations: list[AuthorizationWithReadiness]
    steps: list[Step] = field(default_factory=list)


def coverage_by_grade(students: QuerySet[Student], scope: ConsentScope, on: datetime.date) -> list[GradeCoverage]:
    """Granted, refused (or withdrawn) and no answer, per grade, for one scope (one query)."""
    grades = [
        GradeCoverage(
            grade, grade_label(grade), counts["consent_granted"], counts["consent_refused"],
            counts["consent_no_answer"],
        )
        for grade, counts in _consent_by(students, scope, on, "grade").items()
    ]  # fmt: skip
    return sorted(grades, key=lambda grade: grade_sort_key(grade.grade))


def school_dashboard(
    school: School, *, names_of: QuerySet[User] | None, on: datetime.date, complete: bool = False
) -> SchoolDashboard:
    """Everything a principal's home shows about one school (a fixed number of queries).

    `names_of` is whose disclosure status the reader may see by name (None: nobody's, the
    counts only). Lists stop at NAMES_SHOWN unless `complete` (the CSV downloads)."""
    shown = None if complete else NAMES_SHOWN
    district = school.district
    accounts = SocialAccount.objects.filter(school=school)
    account_counts = registry_selectors.with_attention(accounts, on).aggregate(**_account_counts())
    attention = list(
        registry_selectors.needs_attention(accounts, on)
        .select_related("platform")
        .order_by("-is_below_minimum", "-is_review_overdue", "next_review_on", "display_name", "pk")[:shown]
    )

    cycle = current_cycle(district, on)
    disclosure_fields: dict[str, Any] = {}
    late: list[User] = []
    not_started: list[User] = []
    if cycle is not None:
        # The counts are the school's score, whoever looks; the names only for those who receive them.
        staff = disclosure_selectors.staff_who_must_file(cycle, on).filter(pk__in=school_staff(school).values("pk"))
        totals = disclosure_selectors.tracking_totals(staff, cycle, on)
        disclosure_fields = _disclosure_fields(totals)
        if names_of is not None:
            named = staff.filter(pk__in=names_of.values("pk"))
            by_name = ("last_name", "first_name", "pk")
            late = list(disclosure_selectors.in_category(named, cycle, "late", on).order_by(*by_name)[:shown])
            not_started = list(
                disclosure_selectors.in_category(named, cycle, "not_started", on)
                .exclude(cycle.overdue_q(on))
                .order_by(*by_name)[:shown]
            )

    scopes = consent_selectors.active_scopes(district)
    main_scope = consent_selectors.default_scope(scopes)
    students = consent_selectors.school_students(school)
    coverage = [ScopeCoverage(scope, coverage_by_grade(students, scope, on)) for scope in scopes]
    consent_fields: dict[str, Any] = {}
    for scope_coverage in coverage:
        if scope_coverage.scope == main_scope:
            consent_fields = {
                "students": scope_coverage.total,
                "consent_granted": scope_coverage.granted,
                "consent_refused": scope_coverage.refused,
                "consent_no_answer": scope_coverage.no_answer,
                "consent_forms_asked": scope_coverage.scope.is_written_consent,
            }

    in_force = _in_force_with_readiness(Authorization.objects.filter(program__school=school), on)
    authorization_counts = in_force.aggregate(**_authorization_counts())
    not_ready = list(
        in_force.filter(is_ready=False)
        .select_related("tool", "program", "staff_member")
        .order_by("starts_on", "pk")[:shown]
    )

    measures = SchoolMeasures(
        school_id=school.pk,
        school_name=school.name,
        **account_counts,
        **disclosure_fields,
        **consent_fields,
        **authorization_counts,
    )
    return SchoolDashboard(
        school=school,
        on=on,
        computed_at=timezone.now(),
        measures=measures,
        accounts=attention,
        cycle=cycle,
        names_shown=cycle is not None and names_of is not None,
        late=late,
        not_started=not_started,
        coverage=coverage,
        main_scope=main_scope,
        authorizations=not_ready,
        steps=next_steps(measures, cycle=cycle, on=on, sees_disclosures=names_of is not None),
    )


# --- What to do next -------------------------------------------------------------------------

URGENT, SOON, LATER = 0, 1, 2


@dataclass(frozen=True)
class Step:
    """One line of "what to do next": `target` names the table or page that holds the detail."""

    level: int
    count: int
    title: str
    detail: str
    target: str

    @property
    def level_name(self) -> str:
        return ("urgent", "soon", "later")[self.level]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def next_steps(
    measures: SchoolMeasures, *, cycle: DisclosureCycle | None, on: datetime.date, sees_disclosures: bool = True
) -> list[Step]:
    """Plain-language actions, most urgent first; built from the counts alone (no queries).
    Disclosures are left to whoever receives them under the policy."""
    m = measures
    steps: list[Step] = []
    if m.accounts_below_minimum:
        steps.append(
            Step(
                URGENT,
                m.accounts_below_minimum,
                f"Name administrators for {_plural(m.accounts_below_minimum, 'official account', 'official accounts')}",
                "They have fewer administrators than the policy's minimum: if the only one leaves, "
                "nobody can post, answer families or close the account.",
                "accounts",
            )
        )
    if m.disclosures_late and sees_disclosures:
        steps.append(
            Step(
                URGENT,
                m.disclosures_late,
                f"Follow up {_plural(m.disclosures_late, 'late disclosure', 'late disclosures')}",
                "These staff members have not filed this year's disclosure and their due date has passed.",
                "disclosures",
            )
        )
    if m.authorizations_not_ready:
        steps.append(
            Step(
                URGENT,
                m.authorizations_not_ready,
                f"Collect consent for {_plural(m.authorizations_not_ready, 'class tool', 'class tools')}",
                "The tool is authorized, but not every enrolled student's family has said yes: "
                "students without consent must not use it.",
                "authorizations",
            )
        )
    if m.accounts_review_overdue:
        steps.append(
            Step(
                URGENT,
                m.accounts_review_overdue,
                f"Review {_plural(m.accounts_review_overdue, 'overdue account', 'overdue accounts')}",
                "Their periodic review date has passed: confirm they are still used, still needed and correctly run.",
                "accounts",
            )
        )
    if m.accounts_waiting:
        steps.append(
            Step(
                SOON,
                m.accounts_waiting,
                f"Decide on {_plural(m.accounts_waiting, 'account request', 'account requests')}",
                "Staff are waiting to hear whether they may open these accounts.",
                "accounts",
            )
        )
    if m.consent_forms_asked and m.consent_no_answer:
        steps.append(
            Step(
                SOON,
                m.consent_no_answer,
                f"Collect {_plural(m.consent_no_answer, 'consent form', 'consent forms')}",
                "Without a family's written answer, the student's picture must not be posted.",
                "consent",
            )
        )
    pending = m.staff_to_file - m.disclosures_filed - m.disclosures_late
    if pending > 0 and cycle is not None and sees_disclosures:
        steps.append(
            Step(
                SOON if (cycle.due_on - on).days <= 14 else LATER,
                pending,
                f"Remind {_plural(pending, 'staff member', 'staff members')} to file their disclosure",
                f"Not filed yet; due {cycle.due_on:%B} {cycle.due_on.day}. They get e-mail reminders too.",
                "disclosures",
            )
        )
    if m.accounts_review_due_soon:
        steps.append(
            Step(
                LATER,
                m.accounts_review_due_soon,
                f"Plan {_plural(m.accounts_review_due_soon, 'account review', 'account reviews')}",
                "Due within the next 30 days.",
                "accounts",
            )
        )
    steps.sort(key=lambda step: (step.level, -step.count))
    return steps


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
    cycle_id: int | None
    cycle_label: str
    due_on: datetime.date | None
    scope_name: str
    scope_id: int | None
    completion: list[CompletionPoint]


def _by_school(rows: Iterable[Mapping[str, Any]], key: str = "school") -> dict[int | None, dict[str, Any]]:
    """Each row without its school, by school (None: the district itself)."""
    return {row[key]: {name: value for name, value in row.items() if name != key} for row in rows}


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


def completion_over_time(
    district: District,
    on: datetime.date,
    *,
    cycle: DisclosureCycle | None,
    staff_to_file: int,
    scope: ConsentScope | None,
    students: int,
) -> list[CompletionPoint]:
    """Week by week since the school year began: the share of staff who had filed and of
    students whose family had answered (two queries)."""
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
    if scope is not None:
        records = rules.counting_records(scope, on).filter(student__district=district, student__active=True)
        answered = _firsts_by_day(records, "student", "received_on")
    disclosures = _cumulative_percent(filed, staff_to_file if cycle else 0, days)
    consent = _cumulative_percent(answered, students, days)
    return [CompletionPoint(day, d, c) for day, d, c in zip(days, disclosures, consent, strict=True)]


def district_figures(district: District, on: datetime.date | None = None) -> DistrictFigures:
    """Every active school's measures, the district's totals and the completion chart (a fixed
    number of queries: one per measure, grouped by school in the database)."""
    on = on or timezone.localdate()
    schools = list(district.schools.filter(active=True).order_by("name", "pk").values_list("pk", "name"))
    fields: dict[int, dict[str, Any]] = {pk: {} for pk, _ in schools}

    accounts = registry_selectors.with_attention(SocialAccount.objects.filter(district=district), on)
    account_rows = _by_school(accounts.values("school").annotate(**_account_counts()).order_by())
    district_level = account_rows.pop(None, {})

    cycle = current_cycle(district, on)
    staff_total: dict[str, Any] = {}
    if cycle is not None:
        staff = disclosure_selectors.staff_who_must_file(cycle, on)
        school_rows = disclosure_selectors.tracking_by_school(staff, cycle, district.schools.filter(active=True), on)
        for row in school_rows:
            fields[row["school"].pk].update(_disclosure_fields(row))
        staff_total = _disclosure_fields(disclosure_selectors.tracking_totals(staff, cycle, on))

    scope = consent_selectors.default_scope(consent_selectors.active_scopes(district))
    if scope is not None:
        students = Student.objects.filter(district=district, active=True)
        for pk, row in _consent_by(students, scope, on, "school").items():
            if pk in fields:
                fields[pk].update(row, consent_forms_asked=scope.is_written_consent)

    in_force = _in_force_with_readiness(Authorization.objects.filter(district=district), on)
    use_rows = _by_school(
        in_force.values("program__school").annotate(**_authorization_counts()).order_by(), "program__school"
    )

    rows = []
    for pk, name in schools:
        values = {**account_rows.get(pk, {}), **fields[pk], **use_rows.get(pk, {})}
        rows.append(SchoolMeasures(school_id=pk, school_name=name, **values))
    # Measures by name (the groups name different fields).
    total_fields: dict[str, Any] = {
        **{name: _sum(rows, name) + district_level.get(name, 0) for name in _account_counts()},
        **(staff_total or {"disclosures_asked": False}),
        **{name: _sum(rows, name) for name in CONSENT_FIELDS},
        "consent_forms_asked": bool(scope and scope.is_written_consent),
        **{name: sum(row.get(name, 0) for row in use_rows.values()) for name in _authorization_counts()},
    }
    totals = SchoolMeasures(school_id=0, school_name="Whole district", **total_fields)
    return DistrictFigures(
        district_id=district.pk,
        on=on,
        computed_at=timezone.now(),
        rows=rows,
        totals=totals,
        cycle_id=cycle.pk if cycle else None,
        cycle_label=str(cycle) if cycle else "",
        due_on=cycle.due_on if cycle else None,
        scope_name=scope.name if scope else "",
        scope_id=scope.pk if scope else None,
        completion=completion_over_time(
            district, on, cycle=cycle, staff_to_file=totals.staff_to_file, scope=scope, students=totals.students
        ),
    )
