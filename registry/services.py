"""Actions on official accounts. Each checks who may act, runs in one transaction and leaves a
history entry naming the person and the reason, so an account's page tells its whole story."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Approver, District, User
from registry import access, selectors
from registry.models import (
    DECIDED_TOOL_STATUSES,
    USABLE_TOOL_STATUSES,
    AccountAdministrator,
    AccountReview,
    AccountStatus,
    AdministratorRole,
    ApprovalPower,
    DecidedAs,
    Designee,
    LogoPermission,
    OwnerKind,
    Platform,
    ReviewOutcome,
    SocialAccount,
    Tool,
    ToolRequest,
    ToolRequestStatus,
    ToolStatus,
)
from registry.profile_urls import ProfileAddress

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


def _save(account: SocialAccount, acting_user: User, reason: str, fields: Sequence[str] | None = None) -> None:
    account._history_user = acting_user  # type: ignore[attr-defined]
    account._change_reason = reason  # type: ignore[attr-defined]
    if fields is None:
        account.save()
    else:
        account.save(update_fields=[*fields])


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
    existing = SocialAccount.objects.filter(platform=platform, handle_key=address.key).exclude(pk=exclude_pk).first()
    if existing is not None:
        raise DuplicateAccount(existing)


def _save_new(account: SocialAccount, acting_user: User, reason: str) -> None:
    """Insert, turning a race with another registration of the same handle into the same refusal."""
    try:
        with transaction.atomic():
            _save(account, acting_user, reason)
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
        administrator._history_user = acting_user  # type: ignore[attr-defined]
        administrator.save()


def _check_administrator(account: SocialAccount, user: User) -> None:
    if user.district_id != account.district_id or not user.is_active:
        raise ValidationError("Administrators must be active staff of the district.")


def _new_account(
    district: District, platform: Platform, address: ProfileAddress, details: dict[str, Any]
) -> SocialAccount:
    account = SocialAccount(district=district, platform=platform, **{k: details.get(k) for k in DETAIL_FIELDS})
    for field in ("purpose", "login_email", "recovery_method", "recovery_notes", "audience"):
        if getattr(account, field) is None:
            setattr(account, field, SocialAccount._meta.get_field(field).get_default())
    account.set_profile(address)
    _check_owner(account)
    _check_unique(address, platform)
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
    if not access.can_request(acting_user):
        raise PermissionDenied
    district = acting_user.district
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
        account.status = AccountStatus.APPROVED
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
        account.platform = platform
        account.set_profile(address)
        _check_owner(account)
        _check_unique(address, platform, exclude_pk=account.pk)
        account.full_clean(exclude=["handle_key", "requested_by", "decided_by", "communications_confirmed_by"])
        _save(account, acting_user, "Details changed")
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


def account_approve(*, acting_user: User, account: SocialAccount) -> SocialAccount:
    if not access.can_decide(acting_user, account):
        raise PermissionDenied
    with transaction.atomic():
        account = _locked(account, AccountStatus.REQUESTED)
        account.status = _after_approval(account.district)
        account.decided_by = acting_user
        account.decided_at = timezone.now()
        account.decision_reason = ""
        _save(account, acting_user, "Approved")
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
        _save(account, acting_user, "Not approved")
    return account


def account_confirm_communications(*, acting_user: User, account: SocialAccount) -> SocialAccount:
    """The communications office records that it has seen the page before launch (458 IV.D)."""
    if not access.can_confirm_communications(acting_user, account):
        raise PermissionDenied
    with transaction.atomic():
        account = _locked(account, AccountStatus.AWAITING_COMMUNICATIONS)
        account.status = AccountStatus.APPROVED
        account.communications_confirmed_by = acting_user
        account.communications_confirmed_at = timezone.now()
        _save(account, acting_user, "Seen by the communications office")
    return account


def _current_count(account: SocialAccount) -> int:
    return selectors.current_administrators().filter(account=account).count()


def _require_minimum(account: SocialAccount) -> None:
    minimum = account.district.min_account_administrators
    if _current_count(account) < minimum:
        raise ValidationError(
            f"The policy needs at least {minimum} designated administrator{'s' if minimum != 1 else ''} "
            "who still work for the district. Add one first."
        )


def _launch(account: SocialAccount, acting_user: User, launched_on: datetime.date, *, reason: str) -> None:
    account.status = AccountStatus.ACTIVE
    account.launched_on = launched_on
    if account.next_review_on is None:
        # With no review yet, the first falls due one interval after the account entered the
        # registry as live: an old page registered today is not overdue on its first day.
        account.next_review_on = account.review_due_after(timezone.localdate())
    _save(account, acting_user, reason)


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
        _save(account, acting_user, "Suspended")
    return account


def account_reinstate(*, acting_user: User, account: SocialAccount) -> SocialAccount:
    if not access.can_decide(acting_user, account):
        raise PermissionDenied
    with transaction.atomic():
        account = _locked(account, AccountStatus.SUSPENDED)
        _require_minimum(account)
        account.status = AccountStatus.ACTIVE
        account.status_reason = ""
        _save(account, acting_user, "Reinstated")
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
        _save(account, acting_user, "Retired")
        for administrator in account.administrators.filter(ends_on__isnull=True):
            _end(administrator, acting_user, today)
    return account


# --- Administrators ----------------------------------------------------------------------------


def _end(administrator: AccountAdministrator, acting_user: User, on: datetime.date) -> None:
    administrator.ends_on = max(on, administrator.starts_on)
    administrator._history_user = acting_user  # type: ignore[attr-defined]
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
                previous._history_user = acting_user  # type: ignore[attr-defined]
                previous.save(update_fields=["role"])
        administrator = AccountAdministrator(account=account, user=user, role=role, added_by=acting_user)
        administrator._history_user = acting_user  # type: ignore[attr-defined]
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
        administrator = AccountAdministrator.objects.select_for_update().get(pk=administrator.pk)
        if administrator.policy_acknowledged_on is None:
            administrator.policy_acknowledged_on = timezone.localdate()
            administrator._history_user = acting_user  # type: ignore[attr-defined]
            administrator.save(update_fields=["policy_acknowledged_on"])
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
        if outcome == ReviewOutcome.RECERTIFIED:
            if not (administrators_confirmed and purpose_confirmed and follows_policy):
                raise ValidationError("Re-certifying means confirming all three statements.")
            _require_minimum(account)
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
        review._history_user = acting_user  # type: ignore[attr-defined]
        review.save()
        if outcome == ReviewOutcome.RECERTIFIED:
            account.next_review_on = account.review_due_after(today)
            _save(account, acting_user, "Re-certified", ["next_review_on"])
    return review


# --- Decisions the policy reserves (Superintendent, designee, School Board) ---------------------


def check_capacity(acting_user: User, district: District, power: str, decided_as: str, reference: str) -> None:
    """The person deciding must hold the capacity they claim; a Board decision cites its minutes."""
    capacities = access.decision_capacities(acting_user, district, power)
    if not capacities:
        raise PermissionDenied
    if decided_as not in capacities:
        allowed = ", ".join(str(DecidedAs(c).label) for c in capacities)
        raise ValidationError({"decided_as": f"Under your district's policy you can record this as: {allowed}."})
    if decided_as == DecidedAs.SCHOOL_BOARD and not reference.strip():
        raise ValidationError(
            {"decision_reference": "Say where the Board's decision is written, e.g. the meeting date and item."}
        )


def _history(obj: Any, acting_user: User | None, reason: str) -> None:
    obj._history_user = acting_user
    obj._change_reason = reason


def designee_add(*, acting_user: User, district: District, user: User, power: str, note: str = "") -> Designee:
    """The Superintendent designates a staff member to decide one kind of matter for them."""
    if not access.can_manage_designees(acting_user, district):
        raise PermissionDenied
    if user.district_id != district.pk or not user.is_active:
        raise ValidationError({"user": "Choose an active staff member of the district."})
    if user.pk == acting_user.pk:
        raise ValidationError({"user": "You already decide these matters yourself."})
    if access.approver_for(district, power) != Approver.SUPERINTENDENT_OR_DESIGNEE:
        raise ValidationError({"power": "Your district's policy does not let a designee take this decision."})
    designee = Designee(district=district, user=user, power=power, designated_by=acting_user, note=note.strip())
    designee.full_clean(exclude=["designated_by"], validate_constraints=False)
    with transaction.atomic():
        if (
            Designee.objects.select_for_update()
            .filter(district=district, user=user, power=power, ends_on__isnull=True)
            .exists()
        ):
            raise ValidationError({"user": "This person is already a designee for that."})
        _history(designee, acting_user, "Designated")
        designee.save()
    return designee


def designee_end(*, acting_user: User, designee: Designee) -> Designee:
    if not access.can_manage_designees(acting_user, designee.district):
        raise PermissionDenied
    with transaction.atomic():
        designee = Designee.objects.select_for_update().get(pk=designee.pk)
        if designee.ends_on is None:
            designee.ends_on = max(timezone.localdate(), designee.starts_on)
            _history(designee, acting_user, "Designation ended")
            designee.save(update_fields=["ends_on"])
    return designee


# --- The approved-tool list -------------------------------------------------------------------

# What keepers of the list may edit; the decision fields move only through tool_decide.
TOOL_DETAIL_FIELDS = (
    "name",
    "vendor",
    "website",
    "category",
    "description",
    "is_public_social_media",
    "lowest_grade",
    "highest_grade",
    "minimum_age",
    "privacy_agreement_on_file",
    "privacy_agreement_expires_on",
    "parental_consent_required",
)


def _same_name(district: District, name: str, *, exclude_pk: int | None = None) -> Tool | None:
    return Tool.objects.filter(district=district, name__iexact=name.strip()).exclude(pk=exclude_pk).first()


def tool_save(*, acting_user: User, tool: Tool) -> Tool:
    """Adds a tool to the list (under review until decided) or saves changes to its details."""
    if not access.can_maintain_tools(acting_user, tool.district):
        raise PermissionDenied
    tool.name = tool.name.strip()
    if tool.is_public_social_media:
        tool.parental_consent_required = True  # the policy: public networks need parental consent
    is_new = tool.pk is None
    if is_new:
        tool.status = ToolStatus.UNDER_REVIEW
        tool.added_by = acting_user
    if _same_name(tool.district, tool.name, exclude_pk=tool.pk) is not None:
        raise ValidationError({"name": "A tool with this name is already on the list."})
    tool.full_clean(exclude=["added_by", "decided_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            _history(tool, acting_user, "Added to the list" if is_new else "Details changed")
            tool.save()
    except IntegrityError:
        raise ValidationError({"name": "A tool with this name is already on the list."}) from None
    return tool


def _decide_tool(
    tool: Tool,
    acting_user: User,
    *,
    status: str,
    decided_as: str,
    conditions: str,
    reference: str,
    reason: str,
) -> None:
    today = timezone.localdate()
    tool.status = status
    tool.conditions = conditions.strip() if status == ToolStatus.APPROVED_WITH_CONDITIONS else ""
    tool.decided_by = acting_user
    tool.decided_as = decided_as
    tool.decided_on = today
    tool.decision_reference = reference.strip()
    tool.next_review_on = tool.review_due_after(today) if status in USABLE_TOOL_STATUSES else None
    tool.full_clean(exclude=["added_by", "decided_by"], validate_constraints=False)
    _history(tool, acting_user, reason)
    tool.save()


def tool_decide(
    *,
    acting_user: User,
    tool: Tool,
    status: str,
    decided_as: str,
    conditions: str = "",
    reference: str = "",
) -> Tool:
    """Approve (with or without conditions) or refuse a tool; deciding again is the periodic review,
    which sets the next review date from the district's interval."""
    if status not in DECIDED_TOOL_STATUSES:
        raise ValidationError({"status": "Choose approved, approved with conditions, or not approved."})
    if status == ToolStatus.APPROVED_WITH_CONDITIONS and not conditions.strip():
        raise ValidationError({"conditions": "Write down the conditions staff must follow."})
    check_capacity(acting_user, tool.district, ApprovalPower.TOOLS, decided_as, reference)
    with transaction.atomic():
        tool = Tool.objects.select_for_update().select_related("district").get(pk=tool.pk)
        reviewed = tool.status == status and status in USABLE_TOOL_STATUSES
        label = "Reviewed: still " + ToolStatus(status).label.lower() if reviewed else ToolStatus(status).label
        _decide_tool(
            tool,
            acting_user,
            status=status,
            decided_as=decided_as,
            conditions=conditions,
            reference=reference,
            reason=label,
        )
        # Requests waiting for this tool are answered by the decision: nobody waits on a settled question.
        answer = {
            ToolStatus.APPROVED: ToolRequestStatus.APPROVED,
            ToolStatus.APPROVED_WITH_CONDITIONS: ToolRequestStatus.APPROVED_WITH_CONDITIONS,
            ToolStatus.NOT_APPROVED: ToolRequestStatus.DECLINED,
        }[ToolStatus(status)]
        waiting = ToolRequest.objects.select_for_update().filter(
            Q(tool=tool) | Q(tool_name__iexact=tool.name), district=tool.district, status=ToolRequestStatus.WAITING
        )
        for waiting_request in waiting:
            _close_request(
                waiting_request,
                acting_user,
                answer,
                decided_as,
                f"Decided on the tool's page: {label}.",
                reference,
                tool,
            )
    return tool


def tool_set_aside(*, acting_user: User, tool: Tool, status: str, reason: str) -> Tool:
    """Put a tool back under review (say, when its privacy agreement lapsed) or retire it."""
    if status not in (ToolStatus.UNDER_REVIEW, ToolStatus.RETIRED):
        raise ValidationError({"status": "Choose under review or retired."})
    if not access.can_maintain_tools(acting_user, tool.district):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why, so staff know what changed."})
    with transaction.atomic():
        tool = Tool.objects.select_for_update().select_related("district").get(pk=tool.pk)
        tool.status = status
        tool.next_review_on = None
        _history(tool, acting_user, f"{ToolStatus(status).label}: {reason.strip()}"[:100])
        tool.save()
    return tool


# --- Tool requests -----------------------------------------------------------------------------


def tool_request_submit(*, acting_user: User, tool_request: ToolRequest) -> ToolRequest:
    """A staff member asks for a tool. A tool already usable needs no request: they are told so."""
    if not access.can_request_tool(acting_user):
        raise PermissionDenied
    tool_request.district = acting_user.district
    tool_request.requested_by = acting_user
    tool_request.status = ToolRequestStatus.WAITING
    tool_request.tool_name = tool_request.tool_name.strip()
    if tool_request.school is not None and tool_request.school.district_id != tool_request.district.pk:
        raise ValidationError({"school": "Choose a school of your district."})
    existing = _same_name(tool_request.district, tool_request.tool_name)
    if existing is not None and existing.is_usable:
        raise ValidationError(
            {"tool_name": f"{existing.name} is already {existing.get_status_display().lower()}: you may use it."}
        )
    tool_request.tool = existing
    tool_request.full_clean(exclude=["requested_by", "decided_by"], validate_constraints=False)
    with transaction.atomic():
        _history(tool_request, acting_user, "Requested")
        tool_request.save()
    return tool_request


def _locked_request(tool_request: ToolRequest) -> ToolRequest:
    # The district's row first: two requests for the same new tool decided at once must not both
    # add it to the list (the second finds the first's tool instead of breaking the unique name).
    District.objects.select_for_update().filter(pk=tool_request.district_id).first()
    locked = ToolRequest.objects.select_for_update(of=("self",)).select_related("district").get(pk=tool_request.pk)
    if not locked.is_waiting:
        raise ValidationError(f"This request was already {locked.get_status_display().lower()}.")
    return locked


def tool_request_approve(
    *,
    acting_user: User,
    tool_request: ToolRequest,
    decided_as: str,
    conditions: str = "",
    reference: str = "",
    reason: str = "",
) -> ToolRequest:
    """Approving a request puts the tool on the list as approved (with conditions, if any)."""
    check_capacity(acting_user, tool_request.district, ApprovalPower.TOOLS, decided_as, reference)
    status = ToolStatus.APPROVED_WITH_CONDITIONS if conditions.strip() else ToolStatus.APPROVED
    with transaction.atomic():
        tool_request = _locked_request(tool_request)
        tool = _same_name(tool_request.district, tool_request.tool_name)
        if tool is None:
            tool = Tool(
                district=tool_request.district,
                name=tool_request.tool_name,
                website=tool_request.website,
                is_public_social_media=tool_request.is_public_social_media,
                parental_consent_required=tool_request.is_public_social_media,
                lowest_grade=tool_request.lowest_grade,
                highest_grade=tool_request.highest_grade,
                added_by=acting_user,
            )
        tool = Tool.objects.select_for_update().get(pk=tool.pk) if tool.pk else tool
        tool.district = tool_request.district
        _decide_tool(
            tool,
            acting_user,
            status=status,
            decided_as=decided_as,
            conditions=conditions,
            reference=reference,
            reason=f"Approved on request #{tool_request.pk}",
        )
        _close_request(tool_request, acting_user, status, decided_as, reason, reference, tool)
    return tool_request


def tool_request_decline(
    *, acting_user: User, tool_request: ToolRequest, decided_as: str, reason: str, reference: str = ""
) -> ToolRequest:
    """Declining keeps the reason; a tool not yet on the list goes on it as not approved, so the
    next person who asks sees the answer."""
    if not reason.strip():
        raise ValidationError({"decision_reason": "Give the reason, so the person asking understands."})
    check_capacity(acting_user, tool_request.district, ApprovalPower.TOOLS, decided_as, reference)
    with transaction.atomic():
        tool_request = _locked_request(tool_request)
        tool = _same_name(tool_request.district, tool_request.tool_name)
        if tool is None or tool.status == ToolStatus.UNDER_REVIEW:
            tool = tool or Tool(
                district=tool_request.district,
                name=tool_request.tool_name,
                website=tool_request.website,
                is_public_social_media=tool_request.is_public_social_media,
                added_by=acting_user,
            )
            tool.district = tool_request.district
            _decide_tool(
                tool,
                acting_user,
                status=ToolStatus.NOT_APPROVED,
                decided_as=decided_as,
                conditions="",
                reference=reference,
                reason=f"Not approved on request #{tool_request.pk}",
            )
        _close_request(tool_request, acting_user, ToolRequestStatus.DECLINED, decided_as, reason, reference, tool)
    return tool_request


def _close_request(
    tool_request: ToolRequest,
    acting_user: User,
    status: str,
    decided_as: str,
    reason: str,
    reference: str,
    tool: Tool,
) -> None:
    tool_request.status = status
    tool_request.tool = tool
    tool_request.record_decision(by=acting_user, capacity=decided_as, reason=reason, reference=reference)
    tool_request.full_clean(exclude=["requested_by", "decided_by"], validate_constraints=False)
    _history(tool_request, acting_user, ToolRequestStatus(status).label)
    tool_request.save()


def tool_request_withdraw(*, acting_user: User, tool_request: ToolRequest) -> ToolRequest:
    if tool_request.requested_by_id != acting_user.pk:
        raise PermissionDenied
    with transaction.atomic():
        tool_request = _locked_request(tool_request)
        tool_request.status = ToolRequestStatus.WITHDRAWN
        _history(tool_request, acting_user, "Withdrawn")
        tool_request.save(update_fields=["status"])
    return tool_request


# --- Written permission to use the district logo ---------------------------------------------


def logo_permission_grant(
    *,
    acting_user: User,
    account: SocialAccount | None = None,
    tool: Tool | None = None,
    decided_as: str,
    granted_by_name: str,
    granted_on: datetime.date,
    written_as: str,
    reference: str = "",
    conditions: str = "",
) -> LogoPermission:
    """Records written permission for one account or tool; it replaces any earlier one."""
    subject = account or tool
    if subject is None or (account is not None and tool is not None):
        raise ValueError("Give either an account or a tool.")
    district = subject.district
    check_capacity(acting_user, district, ApprovalPower.LOGO_USE, decided_as, reference)
    if granted_on > timezone.localdate():
        raise ValidationError({"granted_on": "The date cannot be in the future."})
    permission = LogoPermission(
        district=district,
        account=account,
        tool=tool,
        decided_as=decided_as,
        granted_by_name=granted_by_name.strip(),
        granted_on=granted_on,
        written_as=written_as,
        reference=reference.strip(),
        conditions=conditions.strip(),
        recorded_by=acting_user,
    )
    permission.full_clean(exclude=["recorded_by", "withdrawn_by"], validate_constraints=False)
    with transaction.atomic():
        type(subject).objects.select_for_update().filter(pk=subject.pk).get()  # one grant at a time per subject
        for earlier in subject.logo_permissions.filter(withdrawn_on__isnull=True):
            _withdraw(earlier, acting_user, "Replaced by a new permission")
        _history(permission, acting_user, "Logo permission granted")
        permission.save()
    return permission


def _withdraw(permission: LogoPermission, acting_user: User, reason: str) -> None:
    permission.withdrawn_on = timezone.localdate()
    permission.withdrawn_by = acting_user
    permission.withdrawal_reason = reason
    _history(permission, acting_user, "Logo permission withdrawn")
    permission.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason"])


def logo_permission_withdraw(*, acting_user: User, permission: LogoPermission, reason: str) -> LogoPermission:
    if not access.can_record_logo_permission(acting_user, permission.district):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the permission is withdrawn."})
    with transaction.atomic():
        permission = LogoPermission.objects.select_for_update().get(pk=permission.pk)
        if permission.withdrawn_on is None:
            _withdraw(permission, acting_user, reason.strip()[:500])
    return permission
