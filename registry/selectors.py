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
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import District
from registry import profile_urls
from registry.models import (
    LIVE_STATUSES,
    AccountAdministrator,
    AccountReview,
    AccountStatus,
    AdministratorRole,
    FakeAccountReport,
    FakeReportOutcome,
    FakeReportVerdict,
    OwnerKind,
    Platform,
    ReviewOutcome,
    SocialAccount,
)
from tools.models import USABLE_TOOL_STATUSES, Tool

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
    is_short_of_administrators: bool
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
        # Below the minimum or below preferred, in one comparison (see _needing_attention).
        is_short_of_administrators=ExpressionWrapper(
            _live()
            & Q(
                administrator_count__lt=Greatest(
                    F("district__min_account_administrators"), F("district__preferred_account_administrators")
                )
            ),
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


def _needing_attention() -> Q:
    """Over with_attention's columns: anything somebody must act on.

    Short of administrators is one comparison with the larger of the minimum and the preferred
    number, and comes last: each mention of the administrator count repeats its correlated count
    in the SQL, and the cheap conditions before it spare counting for the rows they already match."""
    return (
        Q(status__in=(AccountStatus.REQUESTED, AccountStatus.AWAITING_COMMUNICATIONS, AccountStatus.APPROVED))
        | Q(is_review_overdue=True)
        | Q(is_review_due_soon=True)
        | Q(is_short_of_administrators=True)
    )


def needs_attention(
    accounts: QuerySet[SocialAccount], today: datetime.date | None = None
) -> QuerySet[AccountWithAttention]:
    """Anything somebody must act on: short of administrators, review due or overdue, a decision pending."""
    return with_attention(accounts, today).filter(_needing_attention())


def departed_administrators(accounts: QuerySet[SocialAccount]) -> QuerySet[AccountAdministrator]:
    """Designations still open whose staff member has left the district: someone must replace them."""
    return AccountAdministrator.objects.filter(
        account__in=accounts.filter(status__in=LIVE_STATUSES), ends_on__isnull=True, user__is_active=False
    ).select_related("user", "account")


def left_by_their_people(
    district: District, accounts: QuerySet[SocialAccount] | None = None
) -> QuerySet[SocialAccount]:
    """Live accounts whose staff owner (an account in an official capacity) or whose primary
    administrator has left the district: the page speaks for the district with nobody answerable
    for it, whatever the count of backups says. Someone must retire it or take it over."""
    accounts = (SocialAccount.objects.all() if accounts is None else accounts).filter(district=district)
    departed_primary = AccountAdministrator.objects.filter(
        account=OuterRef("pk"), ends_on__isnull=True, role=AdministratorRole.PRIMARY, user__is_active=False
    )
    return accounts.filter(status__in=LIVE_STATUSES).filter(
        Q(owner_kind=OwnerKind.STAFF, owner_staff__is_active=False) | Q(Exists(departed_primary))
    )


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
    total: int
    any: int
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
        total=Count("pk"),
        any=Count("pk", filter=_needing_attention()),
        below_minimum=Count("pk", filter=Q(is_below_minimum=True)),
        below_preferred=Count("pk", filter=Q(is_below_preferred=True)),
        review_overdue=Count("pk", filter=Q(is_review_overdue=True)),
        review_due_soon=Count("pk", filter=Q(is_review_due_soon=True)),
        awaiting_approval=Count("pk", filter=Q(status=AccountStatus.REQUESTED)),
        awaiting_communications=Count("pk", filter=Q(status=AccountStatus.AWAITING_COMMUNICATIONS)),
        awaiting_launch=Count("pk", filter=Q(status=AccountStatus.APPROVED)),
    )
    return AttentionCounts(**totals)


def counted_pages(counts: AttentionCounts, filters: dict[str, str]) -> int | None:
    """How many accounts a list filtered only by attention holds, read from `counts` (None: another
    filter is set, so the list counts itself)."""
    if any(value for name, value in filters.items() if name != "attention"):
        return None
    attention = filters.get("attention", "")
    if attention == "":
        return counts.total
    value = getattr(counts, attention, None)
    return value if isinstance(value, int) else None


# --- Networks the district's tool list approves --------------------------------------------------


def network_of(tool: Tool) -> str | None:
    """The social network a tool on the list is: by its website's address, else by its name."""
    if tool.website:
        slug = profile_urls.platform_for_url(tool.website)
        if slug in profile_urls.RULES:
            return slug
    return profile_urls.network_named(tool.name)


def unapproved_networks(district: District) -> set[str]:
    """The social networks (those the registry knows by their addresses) the district's tool list does
    not approve: listed as not approved, under review or retired, or not listed at all (one query)."""
    usable = Tool.objects.filter(district=district, status__in=USABLE_TOOL_STATUSES).only("name", "website")
    return set(profile_urls.RULES) - {network_of(tool) for tool in usable}


def network_refusal(district: District, platform: Platform) -> str:
    """Why an official account (or the logo on it) may not be on `platform`, where the district's
    policy ties accounts to the tool list; empty when it may. A blog or website is no network."""
    if not district.official_accounts_on_approved_networks_only or platform.slug not in profile_urls.RULES:
        return ""
    if platform.slug not in unapproved_networks(district):
        return ""
    return (
        f"{platform.name} is not approved on {district.name}'s tool list: under the district's policy, no "
        "official account, district logo or images may be on a network the district has not approved."
    )


def on_unapproved_networks(
    district: District, accounts: QuerySet[SocialAccount] | None = None
) -> QuerySet[SocialAccount]:
    """Live accounts on a network the tool list does not approve (where the policy ties them to it)."""
    accounts = (
        SocialAccount.objects.filter(district=district) if accounts is None else accounts.filter(district=district)
    )
    if not district.official_accounts_on_approved_networks_only:
        return accounts.none()
    return accounts.filter(status__in=LIVE_STATUSES, platform__slug__in=unapproved_networks(district))


def live_unseen_by_communications(
    district: District, accounts: QuerySet[SocialAccount] | None = None
) -> QuerySet[SocialAccount]:
    """Live pages the communications office never saw, where the policy has it see every page
    before launch (458): registered as already live, or live from before the rule."""
    accounts = (SocialAccount.objects.all() if accounts is None else accounts).filter(district=district)
    if not district.communications_review_before_launch:
        return accounts.none()
    return accounts.filter(status__in=LIVE_STATUSES, communications_confirmed_at__isnull=True)


# --- Reports of pages claiming to be ours ------------------------------------------------------


def _official_for_report() -> QuerySet[SocialAccount]:
    """The registered account a report's address names, in the report's own district."""
    return SocialAccount.objects.filter(
        district_id=OuterRef("district_id"), platform_id=OuterRef("platform_id"), handle_key=OuterRef("handle_key")
    ).exclude(handle_key="")


def with_match(reports: QuerySet[FakeAccountReport]) -> QuerySet[FakeAccountReport]:
    """Each report with the official account its address names, if any (`match_id`, `match_name`,
    `match_status`): "is it one of ours?" answered in the list's one query."""
    official = _official_for_report()
    return reports.annotate(
        match_id=Subquery(official.values("pk")[:1]),
        match_name=Subquery(official.values("display_name")[:1]),
        match_status=Subquery(official.values("status")[:1]),
    )


def official_match(report: FakeAccountReport) -> SocialAccount | None:
    if not report.handle_key or report.platform_id is None:
        return None
    return (
        SocialAccount.objects.filter(
            district_id=report.district_id, platform_id=report.platform_id, handle_key=report.handle_key
        )
        .select_related("platform", "school")
        .first()
    )


def fake_reports_of(district_id: int) -> QuerySet[FakeAccountReport]:
    return FakeAccountReport.objects.filter(district_id=district_id)


def fake_reports_unreviewed(
    reports: QuerySet[FakeAccountReport], older_than: datetime.datetime
) -> QuerySet[FakeAccountReport]:
    """Reports nobody has looked at (no verdict) made before `older_than`."""
    return reports.filter(verdict="", created_at__lt=older_than)


def fake_reports_past_deadline(
    reports: QuerySet[FakeAccountReport], now: datetime.datetime
) -> QuerySet[FakeAccountReport]:
    """Reported to the platform, its deadline passed, and the platform has not answered."""
    return reports.filter(platform_deadline_at__lt=now).exclude(
        Q(verdict__in=(FakeReportVerdict.OURS, FakeReportVerdict.NOT_FAKE))
        | Q(outcome__in=(FakeReportOutcome.REMOVED, FakeReportOutcome.REFUSED))
    )


class PageStanding:
    OFFICIAL = "official"
    NOT_OFFICIAL = "not_official"
    UNKNOWN = "unknown"


def page_standing(district_id: int, address: profile_urls.ProfileAddress) -> str:
    """What the public directory answers about a page: an official (active) account of the district,
    a page the district has confirmed is not official, or nothing known."""
    platform_id = Platform.objects.filter(slug=address.platform).values("pk")[:1]
    official = public_directory(district_id).filter(platform_id=Subquery(platform_id), handle_key=address.key)
    if official.exists():
        return PageStanding.OFFICIAL
    confirmed = fake_reports_of(district_id).filter(
        platform_id=Subquery(platform_id), handle_key=address.key, verdict=FakeReportVerdict.CONFIRMED_FAKE
    )
    return PageStanding.NOT_OFFICIAL if confirmed.exists() else PageStanding.UNKNOWN
