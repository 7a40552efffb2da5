"""The questions tracking pages, dashboards and reminders ask about disclosures.

Each person's standing in a cycle is read with two LEFT JOINs (their standing filing, their
draft), both unique by constraint, so a list of any length is one query and counts aggregate
in the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import District, Membership, School, User
from core.power import PowerRefused
from disclosures.models import (
    AWAITING_REVIEW_STATES,
    Disclosure,
    DisclosureComment,
    DisclosureCycle,
    DisclosureState,
    ReviewVisibility,
)


def cycle_for_year(district: District, on: datetime.date) -> DisclosureCycle | None:
    """The district's cycle for the school year `on` falls in (open or not yet open)."""
    year = district.school_year_for(on)
    return DisclosureCycle.objects.filter(district=district, school_year_start=year.start_year).first()


def previous_cycle(cycle: DisclosureCycle) -> DisclosureCycle | None:
    return (
        DisclosureCycle.objects.filter(district_id=cycle.district_id, school_year_start__lt=cycle.school_year_start)
        .order_by("-school_year_start")
        .first()
    )


def staff_on(district_id: int, on: datetime.date, roles: list[str] | None = None) -> QuerySet[User]:
    """Active staff of the district on `on` (in `roles`, if any are named). People who have
    left, or have not started yet, are not counted."""
    staff = User.objects.filter(district_id=district_id, is_active=True).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on), Q(started_on__isnull=True) | Q(started_on__lte=on)
    )
    if roles:
        holds_role = Membership.objects.filter(user=OuterRef("pk"), role__in=roles, ended_on__isnull=True)
        staff = staff.filter(Exists(holds_role))
    return staff


def staff_who_must_file(cycle: DisclosureCycle, on: datetime.date) -> QuerySet[User]:
    """The district's staff on `on`, in the roles the cycle names (everyone when it names none)."""
    return staff_on(cycle.district_id, on, cycle.applies_to_roles())


class FilingStatus(TypedDict):
    """What `with_status` adds to each person."""

    disclosure_state: str
    filing_id: int | None
    draft_id: int | None
    filing_late: bool | None
    filing_hash: str | None


# Annotated[...] takes one argument at run time on Python 3.11: the alias is for the checker only.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    StaffWithStatus: TypeAlias = WithAnnotations[User, FilingStatus]


def with_status(staff: QuerySet[User], cycle: DisclosureCycle) -> QuerySet[StaffWithStatus]:
    """Annotate each person with their filing for the cycle: `disclosure_state` (not started,
    draft, or the standing filing's state), `filing_id`, `draft_id`, `filing_late`, `filing_hash`."""
    return staff.annotate(
        filing=FilteredRelation(
            "disclosures",
            condition=Q(disclosures__cycle=cycle, disclosures__superseded_at__isnull=True)
            & ~Q(disclosures__state=DisclosureState.DRAFT),
        ),
        draft=FilteredRelation(
            "disclosures", condition=Q(disclosures__cycle=cycle, disclosures__state=DisclosureState.DRAFT)
        ),
    ).annotate(
        disclosure_state=Coalesce(F("filing__state"), F("draft__state"), Value(DisclosureState.NOT_STARTED)),
        filing_id=F("filing__id"),
        draft_id=F("draft__id"),
        filing_late=F("filing__filed_late"),
        filing_hash=F("filing__attestation_hash"),
    )


# --- The categories a tracking page filters by and counts; reminders ask the same ----------


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    condition: Callable[[DisclosureCycle, datetime.date], Q]


def _not_filed(cycle: DisclosureCycle, on: datetime.date) -> Q:
    return Q(filing_id__isnull=True)


CATEGORIES: tuple[Category, ...] = (
    Category("not_started", "Not started", lambda c, on: Q(filing_id__isnull=True, draft_id__isnull=True)),
    Category("draft", "Draft, not submitted", lambda c, on: Q(filing_id__isnull=True, draft_id__isnull=False)),
    Category("late", "Late: not filed by the due date", lambda c, on: _not_filed(c, on) & c.overdue_q(on)),
    Category("waiting_review", "Waiting for review", lambda c, on: Q(disclosure_state__in=AWAITING_REVIEW_STATES)),
    Category(
        "returned", "Returned, waiting for the employee", lambda c, on: Q(disclosure_state=DisclosureState.RETURNED)
    ),
    Category("accepted", "Accepted", lambda c, on: Q(disclosure_state=DisclosureState.ACCEPTED)),
    Category("filed_late", "Filed after the due date", lambda c, on: Q(filing_late=True)),
    Category(
        "sign_again",
        "Must sign the new attestation",
        lambda c, on: Q(filing_id__isnull=False) & ~Q(filing_hash=c.attestation_hash),
    ),
)
CATEGORY_BY_KEY = {category.key: category for category in CATEGORIES}


def in_category(staff: QuerySet[User], cycle: DisclosureCycle, key: str, on: datetime.date) -> QuerySet[User]:
    return with_status(staff, cycle).filter(CATEGORY_BY_KEY[key].condition(cycle, on))


def _counts(cycle: DisclosureCycle, on: datetime.date, *, distinct: bool) -> dict[str, Count]:
    counts = {
        "total": Count("pk", distinct=distinct),
        "filed": Count("pk", distinct=distinct, filter=Q(filing_id__isnull=False)),
    }
    for category in CATEGORIES:
        counts[category.key] = Count("pk", distinct=distinct, filter=category.condition(cycle, on))
    return counts


def tracking_totals(staff: QuerySet[User], cycle: DisclosureCycle, on: datetime.date) -> dict[str, int]:
    """How many of `staff` are in each category (one query)."""
    # One row per person (both joins are unique by constraint), so no DISTINCT is needed.
    return with_status(staff, cycle).aggregate(**_counts(cycle, on, distinct=False))


def tracking_by_school(
    staff: QuerySet[User], cycle: DisclosureCycle, schools: QuerySet[School], on: datetime.date
) -> list[dict[str, Any]]:
    """Counts per school for the staff who currently work there (one query). Someone who works
    at two schools is counted at both; the district total counts them once."""
    rows = (
        with_status(staff, cycle)
        .annotate(post=FilteredRelation("memberships", condition=Q(memberships__ended_on__isnull=True)))
        .filter(post__school__in=schools)
        .values("post__school")
        .annotate(**_counts(cycle, on, distinct=True))
        .order_by()
    )
    by_school = {row["post__school"]: {k: v for k, v in row.items() if k != "post__school"} for row in rows}
    return [
        {"school": school, **by_school.get(school.pk, {key: 0 for key in _counts(cycle, on, distinct=True)})}
        for school in schools.order_by("name")
    ]


# --- Reminders and review queues --------------------------------------------------------------


def not_filed(cycle: DisclosureCycle, on: datetime.date) -> QuerySet[User]:
    """Staff who must file and have not (nothing, or only a draft)."""
    return with_status(staff_who_must_file(cycle, on), cycle).filter(filing_id__isnull=True)


def due_within(cycle: DisclosureCycle, on: datetime.date, days: int) -> QuerySet[User]:
    """Staff who have not filed and are due between `on` and `days` days later (inclusive)."""
    return not_filed(cycle, on).filter(cycle.due_between_q(on, on + datetime.timedelta(days=days)))


def late(cycle: DisclosureCycle, on: datetime.date) -> QuerySet[User]:
    """Staff who have not filed and whose due date has passed."""
    return not_filed(cycle, on).filter(cycle.overdue_q(on))


def returned_to_employee(cycle: DisclosureCycle) -> QuerySet[Disclosure]:
    """Standing filings returned for revision: the employee must act."""
    return standing_filings(cycle).filter(state=DisclosureState.RETURNED)


def must_sign_again(cycle: DisclosureCycle) -> QuerySet[Disclosure]:
    """Standing filings signed under an earlier attestation text."""
    return standing_filings(cycle).exclude(attestation_hash=cycle.attestation_hash)


def waiting_for_review(cycle: DisclosureCycle) -> QuerySet[Disclosure]:
    return standing_filings(cycle).filter(state__in=AWAITING_REVIEW_STATES)


def standing_filings(cycle: DisclosureCycle) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(cycle=cycle, superseded_at__isnull=True).exclude(state=DisclosureState.DRAFT)


def review_queue(disclosures: QuerySet[Disclosure], reviewer: User) -> QuerySet[Disclosure]:
    """Of the disclosures a reviewer may see, those waiting for them (never their own)."""
    return (
        disclosures.filter(superseded_at__isnull=True, state__in=AWAITING_REVIEW_STATES)
        .exclude(employee=reviewer)
        .select_related("employee", "cycle__district")
        .order_by("submitted_at", "pk")
    )


def comment_for_employee(disclosure: Disclosure | int) -> str:
    """What the reviewer wrote to the employee when they last returned it (never an internal note)."""
    found = (
        DisclosureComment.objects.filter(
            disclosure=disclosure, visibility=ReviewVisibility.EMPLOYEE, action=DisclosureState.RETURNED
        )
        .order_by("-pk")
        .values_list("text", flat=True)
        .first()
    )
    return found or ""


def versions(disclosure: Disclosure) -> QuerySet[Disclosure]:
    """Every version of the same employee's disclosure for the cycle, newest first."""
    return Disclosure.objects.filter(cycle_id=disclosure.cycle_id, employee_id=disclosure.employee_id).order_by(
        "-version"
    )


def own_disclosures(user: User) -> QuerySet[Disclosure]:
    """The user's filings of record and drafts, newest school year first."""
    return (
        Disclosure.objects.filter(employee=user, superseded_at__isnull=True)
        .select_related("cycle__district")
        .order_by("-cycle__school_year_start", "-version")
    )


# --- Disclosure before power (District.disclosure_before_power) ---------------------------------


def power_refusal(user: User, district: District, on: datetime.date) -> PowerRefused | None:
    """Why `user` may not be given a power yet (designated an account administrator, allowed to use a
    tool with students): the policy asks for this school year's disclosure first and it is not filed.
    None when the option is off, when the district asks for no disclosures, or when there is nothing
    to file yet (no cycle for this school year, or not open): nobody can be blocked by a step they
    cannot take. Registered with core.power (disclosures.apps), asked by the registry and authorizations."""
    if not district.disclosure_before_power or not district.disclosure_required:
        return None
    cycle = cycle_for_year(district, on)
    if cycle is None or not cycle.is_open(on):
        return None
    if not not_filed(cycle, on).filter(pk=user.pk).exists():
        return None
    name = user.full_name or user.email
    return PowerRefused(
        _(
            "%(name)s has not filed the %(year)s disclosure: the district's policy asks for it before anyone "
            "administers an official account or uses a tool with students. Once it is filed, try again."
        )
        % {"name": name, "year": cycle.school_year.label},
        url=reverse("disclosures:home"),
        link_label=_("File the disclosure"),
    )
