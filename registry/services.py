"""Actions on official accounts. Each checks who may act, runs in one transaction and leaves a
history entry naming the person and the reason, so an account's page tells its whole story."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import District, User, school_year_for
from core import bulk
from core.history import attribute, save_attributed
from core.notify import notify_requester
from registry import access, selectors
from registry.models import (
    LIVE_STATUSES,
    AccountAdministrator,
    AccountReview,
    AccountStatus,
    AdministratorRole,
    OwnerKind,
    Platform,
    ReviewOutcome,
    SocialAccount,
)
from registry.profile_urls import ProfileAddress
from tools import services as tool_services
from tools.models import LogoPermission

# Fields a request or an edit may set directly; status and decisions move only through services.
DETAIL_FIELDS = (
    "display_name",
    "owner_kind",
    "school",
    "program",
    "owner_staff",
    "purpose",
    "audience",
    "login_email",
    "recovery_method",
    "recovery_notes",
)


class DuplicateAccount(ValidationError):
    """The platform and handle are already registered; `existing` is that record."""

    def __init__(self, existing: SocialAccount) -> None:
        self.existing = existing
        super().__init__("This account is already registered.", code="duplicate")


@dataclass(frozen=True)
class Designation:
    user: User
    role: str = AdministratorRole.BACKUP


def _check_owner(account: SocialAccount) -> None:
    """The owner must belong to the account's district; a program's account is also its school's."""
    district_id = account.district_id
    if account.owner_kind == OwnerKind.PROGRAM:
        if account.program is None:
            raise ValidationError({"program": "Choose the club, team or program."})
        account.school = account.program.school
    if account.owner_kind == OwnerKind.SCHOOL and account.school is None:
        raise ValidationError({"school": "Choose the school."})
    if account.owner_kind == OwnerKind.STAFF:
        if account.owner_staff is None:
            raise ValidationError({"owner_staff": "Choose the staff member."})
        if account.owner_staff.district_id != district_id or not account.owner_staff.is_active:
            raise ValidationError({"owner_staff": "Choose an active staff member of the district."})
    if account.owner_kind == OwnerKind.DISTRICT:
        account.school = None
    if account.owner_kind != OwnerKind.PROGRAM:
        account.program = None
    if account.owner_kind != OwnerKind.STAFF:
        account.owner_staff = None
    if account.school is not None and account.school.district_id != district_id:
        raise ValidationError({"school": "That school belongs to another district."})


def _check_unique(address: ProfileAddress, platform: Platform, *, exclude_pk: int | None = None) -> None:
    accounts = SocialAccount.objects.filter(platform=platform, handle_key=address.key)
    if exclude_pk is not None:
        accounts = accounts.exclude(pk=exclude_pk)
    existing = accounts.first()
    if existing is not None:
        raise DuplicateAccount(existing)


def _save_new(account: SocialAccount, acting_user: User, reason: str) -> None:
    """Insert, turning a race with another registration of the same handle into the same refusal."""
    try:
        with transaction.atomic():
            save_attributed(account, acting_user, reason)
    except IntegrityError:
        existing = SocialAccount.objects.filter(platform=account.platform, handle_key=account.handle_key).first()
        if existing is None:
            raise
        raise DuplicateAccount(existing) from None


def _designate(account: SocialAccount, acting_user: User, designations: Sequence[Designation]) -> None:
    seen: set[int] = set()
    for designation in designations:
        if designation.user.pk in seen:
            continue
        seen.add(designation.user.pk)
        _check_administrator(account, designation.user)
        administrator = AccountAdministrator(
            account=account, user=designation.user, role=designation.role, added_by=acting_user
        )
        attribute(administrator, acting_user)
        administrator.save()


def _check_administrator(account: SocialAccount, user: User) -> None:
    if user.district_id != account.district_id or not user.is_active:
        raise ValidationError("Administrators must be active staff of the district.")


def _check_network(district: District, platform: Platform) -> None:
    """Where the policy says so, an official account is only on a network the tool list approves."""
    if refusal := selectors.network_refusal(district, platform):
        raise ValidationError({"platform": refusal})


def _new_account(
    district: District, platform: Platform, address: ProfileAddress, details: dict[str, Any]
) -> SocialAccount:
    account = SocialAccount(district=district, platform=platform, **{k: details.get(k) for k in DETAIL_FIELDS})
    for field in ("purpose", "login_email", "recovery_method", "recovery_notes", "audience"):
        model_field = SocialAccount._meta.get_field(field)
        if getattr(account, field) is None and isinstance(model_field, models.Field):
            setattr(account, field, model_field.get_default())
    account.set_profile(address)
    _check_owner(account)
    _check_unique(address, platform)
    _check_network(district, platform)
    account.full_clean(exclude=["handle_key", "requested_by", "decided_by", "communications_confirmed_by"])
    return account


def account_request(
    *,
    acting_user: User,
    platform: Platform,
    address: ProfileAddress,
    details: dict[str, Any],
    administrators: Sequence[Designation],
) -> SocialAccount:
    """A staff member asks for an account (new, or one they run already). It waits for the
    director's approval when the policy requires it; otherwise it moves to the next gate."""
    district = acting_user.district
    if district is None or not access.can_request(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        account = _new_account(district, platform, address, details)
        account.requested_by = acting_user
        account.status = AccountStatus.REQUESTED
        if not district.approval_before_launch:
            account.status = _after_approval(district)
        _save_new(account, acting_user, "Requested")
        _designate(account, acting_user, administrators)
    return account


def account_register(
    *,
    acting_user: User,
    district: District,
    platform: Platform,
    address: ProfileAddress,
    details: dict[str, Any],
    administrators: Sequence[Designation],
    launched_on: datetime.date | None,
) -> SocialAccount:
    """The director records an account that already exists. Registering is the approval; it is
    active at once when it has the policy's minimum of administrators, otherwise it waits for them."""
    if not access.can_register(acting_user, district):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        account = _new_account(district, platform, address, details)
        account.requested_by = acting_user
        account.decided_by = acting_user
        account.decided_at = now
        # Registering is the director's approval, not the communications office's (458 IV.D).
        account.status = _after_approval(district) if launched_on is None else AccountStatus.APPROVED
        _save_new(account, acting_user, "Registered by the director")
        _designate(account, acting_user, administrators)
        if launched_on is not None and _current_count(account) >= district.min_account_administrators:
            _launch(account, acting_user, launched_on, reason="Registered as already live")
    return account


def account_update(
    *,
    acting_user: User,
    account: SocialAccount,
    platform: Platform,
    address: ProfileAddress,
    details: dict[str, Any],
) -> SocialAccount:
    administers = access.is_current_administrator(acting_user, account)
    if not access.can_edit(acting_user, account, administers=administers):
        raise PermissionDenied
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        for field in DETAIL_FIELDS:
            if field in details:
                setattr(account, field, details[field])
        if platform.pk != account.platform_id:
            _check_network(account.district, platform)
        account.platform = platform
        account.set_profile(address)
        _check_owner(account)
        _check_unique(address, platform, exclude_pk=account.pk)
        account.full_clean(exclude=["handle_key", "requested_by", "decided_by", "communications_confirmed_by"])
        save_attributed(account, acting_user, "Details changed")
    return account


def _after_approval(district: District) -> str:
    if district.communications_review_before_launch:
        return AccountStatus.AWAITING_COMMUNICATIONS
    return AccountStatus.APPROVED


def _locked(account: SocialAccount, *expected: str) -> SocialAccount:
    """Re-read the account under a row lock so two people deciding at once cannot both win."""
    fresh = SocialAccount.objects.select_for_update().select_related("district").get(pk=account.pk)
    if expected and fresh.status not in expected:
        raise ValidationError(f"This account is {fresh.get_status_display().lower()}; the page was out of date.")
    return fresh


def _tell_requester(account: SocialAccount, acting_user: User, period: str) -> None:
    """Claimed with the change, sent after commit. The period names the step, so the e-mail says what
    was decided then, whatever happened since."""
    notify_requester(
        kind="account_decided",
        district_id=account.district_id,
        requester_id=account.requested_by_id,
        acting_user_id=acting_user.pk,
        object_key=f"account:{account.pk}",
        period=period,
        path=account.get_absolute_url(),
    )


def account_approve(*, acting_user: User, account: SocialAccount) -> SocialAccount:
    if not access.can_decide(acting_user, account):
        raise PermissionDenied
    with transaction.atomic():
        account = _locked(account, AccountStatus.REQUESTED)
        _check_network(account.district, account.platform)
        account.status = _after_approval(account.district)
        account.decided_by = acting_user
        account.decided_at = timezone.now()
        account.decision_reason = ""
        save_attributed(account, acting_user, "Approved")
        _tell_requester(account, acting_user, account.status)  # approved, or on to the communications office
    return account


def account_reject(*, acting_user: User, account: SocialAccount, reason: str) -> SocialAccount:
    if not access.can_decide(acting_user, account):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why, so the person who asked can act on it."})
    with transaction.atomic():
        account = _locked(account, AccountStatus.REQUESTED, AccountStatus.AWAITING_COMMUNICATIONS)
        account.status = AccountStatus.REJECTED
        account.decided_by = acting_user
        account.decided_at = timezone.now()
        account.decision_reason = reason.strip()
        account.full_clean(exclude=["handle_key", "requested_by", "decided_by", "communications_confirmed_by"])
        save_attributed(account, acting_user, "Not approved")
        _tell_requester(account, acting_user, AccountStatus.REJECTED)
    return account


def account_confirm_communications(*, acting_user: User, account: SocialAccount) -> SocialAccount:
    """The communications office records that it has seen the page before launch (458 IV.D), or,
    for a page registered as already live, that it has seen it since."""
    if not access.can_confirm_communications(acting_user, account):
        raise PermissionDenied
    with transaction.atomic():
        account = _locked(account, AccountStatus.AWAITING_COMMUNICATIONS, *LIVE_STATUSES)
        if account.is_live:
            if account.communications_confirmed_at is not None:
                raise ValidationError("The communications office has already seen this page.")
            account.communications_confirmed_by = acting_user
            account.communications_confirmed_at = timezone.now()
            save_attributed(account, acting_user, "Seen by the communications office after launch")
            return account
        _check_network(account.district, account.platform)
        account.status = AccountStatus.APPROVED
        account.communications_confirmed_by = acting_user
        account.communications_confirmed_at = timezone.now()
        save_attributed(account, acting_user, "Seen by the communications office")
        _tell_requester(account, acting_user, "communications_confirmed")
    return account


def _current_count(account: SocialAccount) -> int:
    return selectors.counted_administrators().filter(account=account).count()


def _require_minimum(account: SocialAccount) -> None:
    minimum = account.district.min_account_administrators
    if _current_count(account) < minimum:
        plural = "s" if minimum != 1 else ""
        if account.district.administrator_acknowledgement_required:
            raise ValidationError(
                f"The policy needs at least {minimum} designated administrator{plural} who still work for the "
                "district and have acknowledged the guidelines. Add one, or ask them to acknowledge first."
            )
        raise ValidationError(
            f"The policy needs at least {minimum} designated administrator{plural} "
            "who still work for the district. Add one first."
        )


def _launch(account: SocialAccount, acting_user: User, launched_on: datetime.date, *, reason: str) -> None:
    account.status = AccountStatus.ACTIVE
    account.launched_on = launched_on
    if account.next_review_on is None:
        # With no review yet, the first falls due one interval after the account entered the
        # registry as live: an old page registered today is not overdue on its first day.
        account.next_review_on = account.review_due_after(timezone.localdate())
    save_attributed(account, acting_user, reason)


def account_activate(
    *, acting_user: User, account: SocialAccount, launched_on: datetime.date | None = None
) -> SocialAccount:
    """The approved account goes live: needs every approval the policy asks for and its minimum of administrators."""
    administers = access.is_current_administrator(acting_user, account)
    if not access.can_activate(acting_user, account, administers=administers):
        raise PermissionDenied
    launched_on = launched_on or timezone.localdate()
    if launched_on > timezone.localdate():
        raise ValidationError({"launched_on": "The launch date cannot be in the future."})
    with transaction.atomic():
        account = _locked(account, AccountStatus.APPROVED)
        _check_network(account.district, account.platform)
        if account.needs_communications_review:
            raise ValidationError("The communications office must see the page before it launches.")
        _require_minimum(account)
        _launch(account, acting_user, launched_on, reason="Launched")
    return account


def account_suspend(*, acting_user: User, account: SocialAccount, reason: str) -> SocialAccount:
    if not access.can_decide(acting_user, account):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the account is suspended."})
    with transaction.atomic():
        account = _locked(account, AccountStatus.ACTIVE)
        account.status = AccountStatus.SUSPENDED
        account.status_reason = reason.strip()
        account.full_clean(exclude=["handle_key", "requested_by", "decided_by", "communications_confirmed_by"])
        save_attributed(account, acting_user, "Suspended")
    return account


def account_reinstate(*, acting_user: User, account: SocialAccount) -> SocialAccount:
    if not access.can_decide(acting_user, account):
        raise PermissionDenied
    with transaction.atomic():
        account = _locked(account, AccountStatus.SUSPENDED)
        _require_minimum(account)
        account.status = AccountStatus.ACTIVE
        account.status_reason = ""
        save_attributed(account, acting_user, "Reinstated")
    return account


def account_retire(*, acting_user: User, account: SocialAccount, reason: str) -> SocialAccount:
    """Closed for good but kept: its history and reviews remain the district's record."""
    if not access.can_decide(acting_user, account):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the account is retired."})
    today = timezone.localdate()
    with transaction.atomic():
        account = _locked(account, *AccountStatus.values)
        if account.status == AccountStatus.RETIRED:
            return account
        account.status = AccountStatus.RETIRED
        account.status_reason = reason.strip()
        account.full_clean(exclude=["handle_key", "requested_by", "decided_by", "communications_confirmed_by"])
        save_attributed(account, acting_user, "Retired")
        for administrator in account.administrators.filter(ends_on__isnull=True):
            _end(administrator, acting_user, today)
    return account


# --- Administrators ----------------------------------------------------------------------------


def _end(administrator: AccountAdministrator, acting_user: User, on: datetime.date) -> None:
    administrator.ends_on = max(on, administrator.starts_on)
    attribute(administrator, acting_user)
    administrator.save(update_fields=["ends_on"])


def administrator_add(
    *, acting_user: User, account: SocialAccount, user: User, role: str = AdministratorRole.BACKUP
) -> AccountAdministrator:
    """Designate a staff member. A new primary administrator moves the previous one to backup."""
    if not access.can_manage_administrators(acting_user, account):
        raise PermissionDenied
    _check_administrator(account, user)
    with transaction.atomic():
        account = _locked(account)
        current = account.administrators.filter(ends_on__isnull=True)
        if current.filter(user=user).exists():
            raise ValidationError(f"{user.full_name or user.email} is already an administrator of this account.")
        if role == AdministratorRole.PRIMARY:
            for previous in current.filter(role=AdministratorRole.PRIMARY):
                previous.role = AdministratorRole.BACKUP
                attribute(previous, acting_user)
                previous.save(update_fields=["role"])
        administrator = AccountAdministrator(account=account, user=user, role=role, added_by=acting_user)
        attribute(administrator, acting_user)
        administrator.save()
    return administrator


def administrator_end(*, acting_user: User, administrator: AccountAdministrator) -> AccountAdministrator:
    """End a designation today. Allowed even below the minimum: the account is then flagged."""
    if not access.can_manage_administrators(acting_user, administrator.account):
        raise PermissionDenied
    with transaction.atomic():
        administrator = AccountAdministrator.objects.select_for_update().get(pk=administrator.pk)
        if administrator.ends_on is None:
            _end(administrator, acting_user, timezone.localdate())
    return administrator


def administrator_acknowledge_policy(*, acting_user: User, administrator: AccountAdministrator) -> AccountAdministrator:
    """The administrator themselves confirms they have read the district's social-media policy."""
    if administrator.user_id != acting_user.pk or administrator.ends_on is not None:
        raise PermissionDenied
    with transaction.atomic():
        administrator = (
            AccountAdministrator.objects.select_for_update(of=("self",))
            .select_related("account__district")
            .get(pk=administrator.pk)
        )
        if administrator.policy_acknowledged_on is None:
            administrator.policy_acknowledged_on = timezone.localdate()
            # Names what was read: the policy may change later, the acknowledgement does not.
            administrator.policy_acknowledged_version = account_selectors.policy_versions_read(
                administrator.account.district
            )
            attribute(administrator, acting_user)
            administrator.save(update_fields=["policy_acknowledged_on", "policy_acknowledged_version"])
    return administrator


# --- Annual re-certification -------------------------------------------------------------------


def account_review_record(
    *,
    acting_user: User,
    account: SocialAccount,
    outcome: str,
    administrators_confirmed: bool = False,
    purpose_confirmed: bool = False,
    follows_policy: bool = False,
    notes: str = "",
) -> AccountReview:
    """Record a re-certification. Only a full confirmation with enough administrators moves the
    next review date to today + the policy's interval; anything else leaves the account due."""
    administers = access.is_current_administrator(acting_user, account)
    if not access.can_review(acting_user, account, administers=administers):
        raise PermissionDenied
    today = timezone.localdate()
    with transaction.atomic():
        account = _locked(account, AccountStatus.ACTIVE, AccountStatus.SUSPENDED)
        review = AccountReview(
            account=account,
            reviewed_by=acting_user,
            reviewed_on=today,
            outcome=outcome,
            administrators_confirmed=administrators_confirmed,
            purpose_confirmed=purpose_confirmed,
            follows_policy=follows_policy,
            notes=notes.strip(),
        )
        review.full_clean(exclude=["account", "reviewed_by"])
        if outcome == ReviewOutcome.RECERTIFIED:
            _require_minimum(account)
        attribute(review, acting_user)
        review.save()
        if outcome == ReviewOutcome.RECERTIFIED:
            account.next_review_on = account.review_due_after(today)
            save_attributed(account, acting_user, "Re-certified", ["next_review_on"])
    return review


def account_logo_permission_grant(*, acting_user: User, account: SocialAccount, **permission: Any) -> LogoPermission:
    """Written permission to use the district logo on an official account: never on a network the
    district has not approved, where its policy says so (4118.51)."""
    _check_network(account.district, account.platform)
    return tool_services.logo_permission_grant(acting_user=acting_user, subject=account, **permission)


# --- Several accounts at once (core.bulk): each through the single action above -----------------
# Each account is its own decision or review: one refused is listed and the others still change.

APPROVE_ALL_OR_NOTHING = False
RECERTIFY_ALL_OR_NOTHING = False


def approve_refusal(acting_user: User, account: SocialAccount) -> str | None:
    """Why approving this account from the list would be skipped (None: it would be approved). The
    preview's forecast; account_approve decides again for each account on confirm."""
    if not access.can_decide(acting_user, account):
        return _("You may not approve this account.")
    if account.status != AccountStatus.REQUESTED:
        return _("It is not awaiting approval (it is %(status)s).") % {"status": account.get_status_display().lower()}
    return None


def account_approve_many(*, acting_user: User, accounts: Sequence[SocialAccount]) -> bulk.Result[SocialAccount]:
    """Approve each account through account_approve: its rules, its history entry and its e-mail."""
    return bulk.run(
        accounts,
        lambda account: account_approve(acting_user=acting_user, account=account),
        all_or_nothing=APPROVE_ALL_OR_NOTHING,
        refused=_("You may not approve this account."),
    )


def recertified_this_year(account: SocialAccount, today: datetime.date) -> str | None:
    """A list's re-certification skips an account already re-certified this school year (read from
    `last_recertified_on`, selectors.with_last_recertification)."""
    last: datetime.date | None = getattr(account, "last_recertified_on", None)
    start_month = account.district.school_year_start_month
    if last is not None and school_year_for(last, start_month) == school_year_for(today, start_month):
        return _("Already re-certified this school year (on %(date)s).") % {"date": date_format(last)}
    return None


def recertify_refusal(
    acting_user: User, account: SocialAccount, *, administers: bool, today: datetime.date
) -> str | None:
    """Why re-certifying this account from the list would be skipped (None: it would be re-certified).
    Reads the annotations of selectors.with_attention and with_last_recertification: no query."""
    if not account.is_live:
        return _("It is not live: only launched accounts are reviewed.")
    if not access.can_review(acting_user, account, administers=administers):
        return _("You may not review this account.")
    already = recertified_this_year(account, today)
    if already:
        return already
    if getattr(account, "is_below_minimum", False):
        return _("It has fewer administrators than the policy's minimum: add one first.")
    return None


def account_recertify_many(
    *,
    acting_user: User,
    accounts: Sequence[SocialAccount],
    administrators_confirmed: bool,
    purpose_confirmed: bool,
    follows_policy: bool,
    notes: str = "",
) -> bulk.Result[SocialAccount]:
    """Re-certify each account through account_review_record (its rules, its review and history
    entry), skipping those already re-certified this school year."""
    today = timezone.localdate()
    reviewed = selectors.with_last_recertification(SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]))
    last = dict(reviewed.values_list("pk", "last_recertified_on"))  # type: ignore[misc]  # an annotation
    for account in accounts:
        account.last_recertified_on = last.get(account.pk)  # type: ignore[attr-defined]
    return bulk.run(
        accounts,
        lambda account: account_review_record(
            acting_user=acting_user,
            account=account,
            outcome=ReviewOutcome.RECERTIFIED,
            administrators_confirmed=administrators_confirmed,
            purpose_confirmed=purpose_confirmed,
            follows_policy=follows_policy,
            notes=notes,
        ),
        all_or_nothing=RECERTIFY_ALL_OR_NOTHING,
        refused=_("You may not review this account."),
        check=lambda account: recertified_this_year(account, today),
    )
