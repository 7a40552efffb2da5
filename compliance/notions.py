"""The notions every list of obligations shares, each defined once.

The domain apps answer questions about one kind of thing (an account's administrators, a person's
filing); these say what the policy makes of them: which disclosure cycle is "this year's", whether
a year without one is a gap, who the staff of a school are, which accounts wait for a decision,
what an account in good standing is, and whether a consent scope's missing answers need chasing.
Dashboards, the home page and the reminders ask here; none of them re-derives these.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import District, Membership, School, User
from accounts.selectors import school_staff
from consent.models import ConsentScope
from disclosures import selectors as disclosure_selectors
from disclosures.access import enabled as disclosures_enabled
from disclosures.models import DisclosureCycle
from registry import selectors as registry_selectors
from registry.models import LIVE_STATUSES, AccountStatus, SocialAccount


@dataclass(frozen=True)
class CycleToday:
    """Where the district's disclosures stand on a day.

    `cycle` is the cycle the obligations follow (this school year's, once it has opened);
    `missing` is true when the policy requires disclosures and nobody has set up this school
    year's cycle: a gap from the first day of the school year."""

    cycle: DisclosureCycle | None
    missing: bool
    opens_on: datetime.date | None = None  # this year's cycle, set up but not yet open

    @property
    def asks(self) -> bool:
        """Whether staff owe a disclosure today (an open cycle, or one that should be)."""
        return self.cycle is not None or self.missing


def cycle_today(district: District, on: datetime.date) -> CycleToday:
    """The cycle open today, or why there is none (one query; none when the policy asks for no disclosures)."""
    if not disclosures_enabled(district):
        return CycleToday(None, missing=False)
    cycle = disclosure_selectors.cycle_for_year(district, on)
    if cycle is None:
        return CycleToday(None, missing=True)
    if not cycle.is_open(on):
        return CycleToday(None, missing=False, opens_on=cycle.opens_on)
    return CycleToday(cycle, missing=False)


def staff_of_school(school: School) -> QuerySet[User]:
    """Active people holding a current role at the school: whose disclosures count for it."""
    return school_staff(school)


# An account request waits on one of two people: the director approves it, then (where the policy
# asks) the communications office sees the page before launch.
AWAITING_DECISION = (AccountStatus.REQUESTED, AccountStatus.AWAITING_COMMUNICATIONS)


def accounts_awaiting_decision(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    return accounts.filter(status__in=AWAITING_DECISION)


def in_good_standing() -> Q:
    """A live account with enough administrators whose review is not overdue (over
    `registry.selectors.with_attention`'s annotations)."""
    return Q(status__in=LIVE_STATUSES, is_below_minimum=False, is_review_overdue=False)


def accounts_with_standing(accounts: QuerySet[SocialAccount], on: datetime.date) -> QuerySet[SocialAccount]:
    return registry_selectors.with_attention(accounts, on)


def chases_answers(scope: ConsentScope | None) -> bool:
    """Whether families who have not answered are owed a follow-up. Under written consent no answer
    means the picture may not be posted, so forms are collected; under an opt-out list no answer
    means it may, and only the opt-outs received are recorded."""
    return scope is not None and scope.is_written_consent


def staff_count_by_school(staff: QuerySet[User], schools: QuerySet[School]) -> dict[int, int]:
    """How many of `staff` work at each school (one query; someone at two schools counts at both)."""
    rows = (
        Membership.objects.filter(school__in=schools, ended_on__isnull=True, user__in=staff)
        .values("school")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    return {row["school"]: row["n"] for row in rows}
