"""The figures a school and a district are judged by, and the score made of them.

Everything is counted in the database: a school's measures cost the same number of queries for 50
students as for 5,000, and a district's one query per measure for all its schools together
(grouped by school), whatever their number. A school's row in the district table and the figures
on its own dashboard come from the same definitions, so the two never disagree about a score.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import District, School, Student
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization
from compliance import notions
from compliance.notions import CycleToday
from consent import rules
from consent import selectors as consent_selectors
from consent.models import ConsentScope
from disclosures import selectors as disclosure_selectors
from registry.models import LIVE_STATUSES, AccountStatus, SocialAccount

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from authorizations.selectors import AuthorizationWithReadiness


def _percent(done: int, total: int) -> int | None:
    # Rounded down, so 99.6% never shows as 100% while someone is still missing.
    return 100 * done // total if total else None


@dataclass(frozen=True)
class Part:
    """One part of the compliance score: `done` out of `total`."""

    key: str
    label: _StrPromise | str
    done: int
    total: int

    @property
    def percent(self) -> int | None:
        return _percent(self.done, self.total)


SCORE_FORMULA = _(
    "The score is the average of the parts that apply to the school, each a percentage: "
    "live accounts in good standing (enough administrators, review not overdue) out of live accounts; "
    "staff who have filed their disclosure out of staff who must file (a school year the policy asks "
    "disclosures for but whose cycle was never opened counts as nobody filed); "
    "students whose family has answered out of students, only where the policy asks for written consent "
    "(under an opt-out list no answer means the picture may be posted, so nothing is missing); "
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
    accounts_awaiting_approval: int = 0
    accounts_awaiting_communications: int = 0
    accounts_good: int = 0
    disclosures_asked: bool = False
    disclosure_cycle_missing: bool = False
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
    def accounts_waiting(self) -> int:
        """Requests waiting for a decision, whoever must take it."""
        return self.accounts_awaiting_approval + self.accounts_awaiting_communications

    @property
    def disclosures_pending(self) -> int:
        """Staff who have not filed and are not late yet."""
        return max(0, self.staff_to_file - self.disclosures_filed - self.disclosures_late)

    @property
    def consent_answered(self) -> int:
        return self.students - self.consent_no_answer

    @property
    def consent_opt_outs(self) -> int:
        """Under an opt-out list, the families who opted out (refused or withdrew)."""
        return self.consent_refused

    @property
    def disclosures_percent(self) -> int | None:
        return _percent(self.disclosures_filed, self.staff_to_file) if self.disclosures_asked else None

    @property
    def consent_percent(self) -> int | None:
        return _percent(self.consent_answered, self.students) if self.consent_forms_asked else None

    @property
    def parts(self) -> list[Part]:
        parts = [Part("accounts", _("Accounts in good standing"), self.accounts_good, self.accounts_live)]
        if self.disclosures_asked:
            parts.append(Part("disclosures", _("Disclosures filed"), self.disclosures_filed, self.staff_to_file))
        if self.consent_forms_asked:
            parts.append(Part("consent", _("Families who have answered"), self.consent_answered, self.students))
        parts.append(
            Part(
                "authorizations",
                _("Authorizations ready"),
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


# --- The counts, one definition each ---------------------------------------------------------


def _account_counts() -> dict[str, Count]:
    return {
        "accounts_live": Count("pk", filter=Q(status__in=LIVE_STATUSES)),
        "accounts_below_minimum": Count("pk", filter=Q(is_below_minimum=True)),
        "accounts_review_overdue": Count("pk", filter=Q(is_review_overdue=True)),
        "accounts_review_due_soon": Count("pk", filter=Q(is_review_due_soon=True)),
        "accounts_awaiting_approval": Count("pk", filter=Q(status=AccountStatus.REQUESTED)),
        "accounts_awaiting_communications": Count("pk", filter=Q(status=AccountStatus.AWAITING_COMMUNICATIONS)),
        "accounts_good": Count("pk", filter=notions.in_good_standing()),
    }


CONSENT_FIELDS = ("students", "consent_granted", "consent_refused", "consent_no_answer")
_FIELD_OF_ANSWER = {
    rules.Standing.GRANTED: "consent_granted",
    rules.Standing.REFUSED: "consent_refused",
    rules.Standing.WITHDRAWN: "consent_refused",
    None: "consent_no_answer",
}


def consent_by(
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


def in_force_with_readiness(
    authorizations: QuerySet[Authorization], on: datetime.date
) -> QuerySet[AuthorizationWithReadiness]:
    return authorization_selectors.with_readiness(
        authorization_selectors.authorizations_in_force(authorizations, on), on
    )


def _disclosure_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "disclosures_asked": True,
        "staff_to_file": row["total"],
        "disclosures_filed": row["filed"],
        "disclosures_late": row["late"],
        "disclosures_not_started": row["not_started"],
    }


def _missing_cycle_fields(staff: int) -> dict[str, Any]:
    """No cycle where the policy requires one: everybody owes a disclosure nobody can file."""
    return {
        "disclosures_asked": True,
        "disclosure_cycle_missing": True,
        "staff_to_file": staff,
        "disclosures_not_started": staff,
    }


# --- A school ----------------------------------------------------------------------------------


def main_scope(district: District) -> ConsentScope | None:
    """The consent scope a school's figures follow (the district's default picture scope)."""
    return consent_selectors.default_scope(consent_selectors.active_scopes(district))


def school_measures(
    school: School, on: datetime.date, *, cycle: CycleToday, scope: ConsentScope | None
) -> SchoolMeasures:
    """One school's figures (a fixed number of queries, whatever its size)."""
    district = school.district
    accounts = notions.accounts_with_standing(SocialAccount.objects.filter(school=school), on)
    fields: dict[str, Any] = accounts.aggregate(**_account_counts())

    if cycle.cycle is not None:
        staff = disclosure_selectors.staff_who_must_file(cycle.cycle, on).filter(
            pk__in=notions.staff_of_school(school).values("pk")
        )
        fields |= _disclosure_fields(disclosure_selectors.tracking_totals(staff, cycle.cycle, on))
    elif cycle.missing:
        staff = disclosure_selectors.staff_on(district.pk, on).filter(
            pk__in=notions.staff_of_school(school).values("pk")
        )
        fields |= _missing_cycle_fields(staff.count())

    if scope is not None:
        students = consent_selectors.school_students(school)
        counts = consent_by(students, scope, on, "school").get(school.pk, dict.fromkeys(CONSENT_FIELDS, 0))
        fields |= {**counts, "consent_forms_asked": notions.chases_answers(scope)}

    in_force = in_force_with_readiness(Authorization.objects.filter(program__school=school), on)
    fields |= in_force.aggregate(**_authorization_counts())
    return SchoolMeasures(school_id=school.pk, school_name=school.name, **fields)


# --- A district --------------------------------------------------------------------------------


def _by_school(rows: Iterable[Mapping[str, Any]], key: str = "school") -> dict[int | None, dict[str, Any]]:
    """Each row without its school, by school (None: the district itself)."""
    return {row[key]: {name: value for name, value in row.items() if name != key} for row in rows}


@dataclass(frozen=True)
class DistrictMeasures:
    rows: list[SchoolMeasures]  # every active school, by name
    totals: SchoolMeasures  # the whole district (district-level accounts included; each person once)


def district_measures(
    district: District, on: datetime.date, *, cycle: CycleToday, scope: ConsentScope | None
) -> DistrictMeasures:
    """Every active school's measures and the district's totals (one query per measure, grouped by
    school in the database)."""
    schools = list(district.schools.filter(active=True).order_by("name", "pk").values_list("pk", "name"))
    fields: dict[int, dict[str, Any]] = {pk: {} for pk, _name in schools}
    active_schools = district.schools.filter(active=True)

    accounts = notions.accounts_with_standing(SocialAccount.objects.filter(district=district), on)
    account_rows = _by_school(accounts.values("school").annotate(**_account_counts()).order_by())
    district_level = account_rows.pop(None, {})

    staff_total: dict[str, Any] = {"disclosures_asked": False}
    if cycle.cycle is not None:
        staff = disclosure_selectors.staff_who_must_file(cycle.cycle, on)
        for row in disclosure_selectors.tracking_by_school(staff, cycle.cycle, active_schools, on):
            fields[row["school"].pk].update(_disclosure_fields(row))
        staff_total = _disclosure_fields(disclosure_selectors.tracking_totals(staff, cycle.cycle, on))
    elif cycle.missing:
        staff = disclosure_selectors.staff_on(district.pk, on)
        counts = notions.staff_count_by_school(staff, active_schools)
        for pk in fields:
            fields[pk].update(_missing_cycle_fields(counts.get(pk, 0)))
        staff_total = _missing_cycle_fields(staff.count())

    if scope is not None:
        students = Student.objects.filter(district=district, active=True)
        for pk, row in consent_by(students, scope, on, "school").items():
            if pk in fields:
                fields[pk].update(row, consent_forms_asked=notions.chases_answers(scope))

    in_force = in_force_with_readiness(Authorization.objects.filter(district=district), on)
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
        **staff_total,
        **{name: _sum(rows, name) for name in CONSENT_FIELDS},
        "consent_forms_asked": notions.chases_answers(scope),
        **{name: sum(row.get(name, 0) for row in use_rows.values()) for name in _authorization_counts()},
    }
    totals = SchoolMeasures(school_id=0, school_name=str(_("Whole district")), **total_fields)
    return DistrictMeasures(rows=rows, totals=totals)
