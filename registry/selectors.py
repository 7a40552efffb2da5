"""Read-side questions about official accounts, shared by pages, dashboards and reminders.

Whether an account is short of administrators is computed, not stored: an administrator
counts only while designated and still an active employee, so a staff member deactivated by
hand or by a roster import drops out of every count at once, whichever way it happened.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from registry.models import (
    LIVE_STATUSES,
    AccountAdministrator,
    AccountReview,
    AccountStatus,
    Platform,
    ReviewOutcome,
    SocialAccount,
)

# How far ahead a review counts as "due soon" on pages (reminders pass the district's own timing).
REVIEW_DUE_SOON_DAYS = 30


def current_administrators(on: datetime.date | None = None) -> QuerySet[AccountAdministrator]:
    """Designations that count toward an account's minimum on `on` (a designation ended today no longer does)."""
    on = on or timezone.localdate()
    return AccountAdministrator.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=on), starts_on__lte=on, user__is_active=True
    )


def counted_administrators(on: datetime.date | None = None) -> QuerySet[AccountAdministrator]:
    """Designations that count toward an account's minimum and its launch: current ones, and where
    the district's policy requires it (458, 547), only once the administrator acknowledged the
    guidelines. Someone designated but not yet counted still sees the account as theirs."""
    return current_administrators(on).filter(
        Q(account__district__administrator_acknowledgement_required=False) | Q(policy_acknowledged_on__isnull=False)
    )


def _live() -> Q:
    return Q(status__in=LIVE_STATUSES)


def _review_overdue(today: datetime.date) -> Q:
    """A live account whose review date has passed (due today is not yet overdue)."""
    return _live() & Q(next_review_on__lt=today)


def _review_due_between(first: datetime.date, last: datetime.date) -> Q:
    return _live() & Q(next_review_on__gte=first, next_review_on__lte=last)


class Attention(TypedDict):
    """What `with_attention` adds to each account."""

    administrator_count: int
    is_below_minimum: bool
    is_below_preferred: bool
    is_review_overdue: bool
    is_review_due_soon: bool


# Annotated[...] takes one argument at run time on Python 3.11: the aliases are for the checker only.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    AccountWithAttention: TypeAlias = WithAnnotations[SocialAccount, Attention]


def with_attention(
    accounts: QuerySet[SocialAccount], today: datetime.date | None = None
) -> QuerySet[AccountWithAttention]:
    """Annotate each account with its current administrator count and what needs attention.

    One correlated subquery per row, no joins that would multiply rows, so the list pages issue
    the same number of queries with 10 accounts as with 20,000.
    """
    today = today or timezone.localdate()
    counted = (
        counted_administrators(today)
        .filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return accounts.annotate(
        administrator_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
    ).annotate(
        is_below_minimum=ExpressionWrapper(
            _live() & Q(administrator_count__lt=F("district__min_account_administrators")),
            output_field=BooleanField(),
        ),
        is_below_preferred=ExpressionWrapper(
            _live() & Q(administrator_count__lt=F("district__preferred_account_administrators")),
            output_field=BooleanField(),
        ),
        is_review_overdue=ExpressionWrapper(_review_overdue(today), output_field=BooleanField()),
        is_review_due_soon=ExpressionWrapper(
            _review_due_between(today, today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)),
            output_field=BooleanField(),
        ),
    )


def with_last_recertification(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    """The date of each account's latest re-certification, read from its reviews (not stored twice)."""
    latest = (
        AccountReview.objects.filter(account=OuterRef("pk"), outcome=ReviewOutcome.RECERTIFIED)
        .order_by("-reviewed_on")
        .values("reviewed_on")[:1]
    )
    return accounts.annotate(last_recertified_on=Subquery(latest))


def below_minimum(accounts: QuerySet[SocialAccount], today: datetime.date | None = None) -> QuerySet[SocialAccount]:
    """Live accounts with fewer current administrators than the district's minimum."""
    return with_attention(accounts, today).filter(is_below_minimum=True)


def below_preferred(accounts: QuerySet[SocialAccount], today: datetime.date | None = None) -> QuerySet[SocialAccount]:
    """Live accounts with fewer current administrators than preferred (includes those below the minimum)."""
    return with_attention(accounts, today).filter(is_below_preferred=True)


def review_due_within(
    accounts: QuerySet[SocialAccount], days: int, today: datetime.date | None = None
) -> QuerySet[SocialAccount]:
    """Live accounts whose review falls due between today and `days` from now (not yet overdue)."""
    today = today or timezone.localdate()
    return accounts.filter(_review_due_between(today, today + datetime.timedelta(days=days)))


def review_overdue(accounts: QuerySet[SocialAccount], today: datetime.date | None = None) -> QuerySet[SocialAccount]:
    return accounts.filter(_review_overdue(today or timezone.localdate()))


def awaiting_approval(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    return accounts.filter(status=AccountStatus.REQUESTED)


def awaiting_communications(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    return accounts.filter(status=AccountStatus.AWAITING_COMMUNICATIONS)


def awaiting_launch(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    return accounts.filter(status=AccountStatus.APPROVED)


def needs_attention(
    accounts: QuerySet[SocialAccount], today: datetime.date | None = None
) -> QuerySet[AccountWithAttention]:
    """Anything somebody must act on: short of administrators, review due or overdue, a decision pending."""
    return with_attention(accounts, today).filter(
        Q(is_below_minimum=True)
        | Q(is_below_preferred=True)
        | Q(is_review_overdue=True)
        | Q(is_review_due_soon=True)
        | Q(status__in=(AccountStatus.REQUESTED, AccountStatus.AWAITING_COMMUNICATIONS, AccountStatus.APPROVED))
    )


def departed_administrators(accounts: QuerySet[SocialAccount]) -> QuerySet[AccountAdministrator]:
    """Designations still open whose staff member has left the district: someone must replace them."""
    return AccountAdministrator.objects.filter(
        account__in=accounts.filter(status__in=LIVE_STATUSES), ends_on__isnull=True, user__is_active=False
    ).select_related("user", "account")


def account_search(accounts: QuerySet[SocialAccount], query: str) -> QuerySet[SocialAccount]:
    query = query.strip()
    if not query:
        return accounts
    return accounts.filter(
        Q(display_name__icontains=query) | Q(handle__icontains=query) | Q(profile_url__icontains=query)
    )


def public_directory(district_id: int) -> QuerySet[SocialAccount]:
    """What families may see: active official accounts, their owner and address; nothing about people."""
    return (
        SocialAccount.objects.filter(district_id=district_id, status=AccountStatus.ACTIVE)
        .select_related("platform", "school", "program")
        .only(
            "display_name",
            "handle",
            "profile_url",
            "owner_kind",
            "district_id",
            "platform__name",
            "platform__slug",
            "school__name",
            "program__name",
        )
        .order_by("school__name", "display_name")
    )


def active_platforms() -> QuerySet[Platform]:
    return Platform.objects.filter(active=True)


@dataclass(frozen=True)
class AttentionCounts:
    below_minimum: int
    below_preferred: int
    review_overdue: int
    review_due_soon: int
    awaiting_approval: int
    awaiting_communications: int
    awaiting_launch: int


def attention_counts(accounts: QuerySet[SocialAccount], today: datetime.date | None = None) -> AttentionCounts:
    """Every count the registry's summary shows, in one query."""
    totals = with_attention(accounts, today).aggregate(
        below_minimum=Count("pk", filter=Q(is_below_minimum=True)),
        below_preferred=Count("pk", filter=Q(is_below_preferred=True)),
        review_overdue=Count("pk", filter=Q(is_review_overdue=True)),
        review_due_soon=Count("pk", filter=Q(is_review_due_soon=True)),
        awaiting_approval=Count("pk", filter=Q(status=AccountStatus.REQUESTED)),
        awaiting_communications=Count("pk", filter=Q(status=AccountStatus.AWAITING_COMMUNICATIONS)),
        awaiting_launch=Count("pk", filter=Q(status=AccountStatus.APPROVED)),
    )
    return AttentionCounts(**totals)
