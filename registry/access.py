"""Who may see and act on official accounts. Views resolve accounts only through here.

District leadership and the communications office see every account of their district; a
principal sees the accounts of their school(s); everyone sees the accounts they administer,
requested, or hold in an official capacity. Accounts outside a user's reach are answered with
404; actions a user may not take on an account they can see are answered with 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.access import DISTRICT_READERS, scope_for
from accounts.models import District, Role, User
from registry import selectors
from registry.models import AccountAdministrator, AccountStatus, SocialAccount

ACCOUNT_DECIDERS = frozenset({Role.DIRECTOR})  # the Director of Technology (547 IV.F) or designee


def _administers(user: User) -> Exists:
    return Exists(AccountAdministrator.objects.filter(account=OuterRef("pk"), user=user, ends_on__isnull=True))


def visible_accounts(user: User) -> QuerySet[SocialAccount]:
    scope = scope_for(user)
    if scope.is_superuser:
        return SocialAccount.objects.all()
    if not user.is_authenticated or not user.is_active:
        return SocialAccount.objects.none()
    district_ids = scope.district_ids(DISTRICT_READERS)
    school_ids = scope.school_ids({Role.PRINCIPAL})
    return SocialAccount.objects.filter(
        Q(district_id__in=district_ids)
        | Q(school_id__in=school_ids)
        | Q(requested_by=user)
        | Q(owner_staff=user)
        | _administers(user)
    )


def accounts_of_user(user: User | AnonymousUser) -> QuerySet[SocialAccount]:
    """“My accounts”: the ones a person administers, requested, or holds in an official capacity."""
    if not user.is_authenticated:
        return SocialAccount.objects.none()
    return SocialAccount.objects.filter(Q(requested_by=user) | Q(owner_staff=user) | _administers(user))


def get_account_for_user(user: User, pk: int) -> SocialAccount:
    try:
        return (
            visible_accounts(user).select_related("district", "platform", "school", "program", "owner_staff").get(pk=pk)
        )
    except (SocialAccount.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_administrator_for_user(user: User, pk: int) -> AccountAdministrator:
    try:
        administrator = AccountAdministrator.objects.select_related("account", "user").get(pk=pk)
    except (AccountAdministrator.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    get_account_for_user(user, administrator.account_id)  # 404 when the account is out of reach
    return administrator


# --- What a user may do with an account they can see ------------------------------------------


def _is_director(user: User, district_id: int) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(district_id, ACCOUNT_DECIDERS)


def _is_principal_of(user: User, account: SocialAccount) -> bool:
    return account.school_id is not None and account.school_id in scope_for(user).school_ids({Role.PRINCIPAL})


def is_current_administrator(user: User, account: SocialAccount) -> bool:
    """Acts as an administrator only while the designation counts toward the minimum (one rule)."""
    return selectors.current_administrators().filter(account=account, user=user).exists()


def administered_among(user: User, account_ids: Iterable[int]) -> set[int]:
    """Which of these accounts the user currently administers, in one query (the bulk preview)."""
    return set(
        selectors.current_administrators()
        .filter(account_id__in=list(account_ids), user=user)
        .values_list("account_id", flat=True)
    )


def can_register(user: User, district: District) -> bool:
    """Register an account that already exists, skipping the request: the director."""
    return _is_director(user, district.pk)


def can_request(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.district_id is not None


def can_decide(user: User, account: SocialAccount) -> bool:
    """Approve, reject, suspend, reinstate, retire."""
    return _is_director(user, account.district_id)


def can_confirm_communications(user: User, account: SocialAccount) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(account.district_id, {Role.COMMUNICATIONS})


def can_manage_administrators(user: User, account: SocialAccount) -> bool:
    if account.is_closed:
        return False
    return _is_director(user, account.district_id) or _is_principal_of(user, account)


def can_edit(user: User, account: SocialAccount, *, administers: bool) -> bool:
    if account.status == AccountStatus.RETIRED:
        return False
    return _is_director(user, account.district_id) or _is_principal_of(user, account) or administers


def can_review(user: User, account: SocialAccount, *, administers: bool) -> bool:
    """Annual re-certification: an administrator of the account, its principal, or the director."""
    if not account.is_live:
        return False
    return administers or _is_director(user, account.district_id) or _is_principal_of(user, account)


def can_activate(user: User, account: SocialAccount, *, administers: bool) -> bool:
    """Mark an approved account as launched: the director, or one of its administrators."""
    if account.status != AccountStatus.APPROVED:
        return False
    return administers or _is_director(user, account.district_id)


def can_take_step(user: User, account: SocialAccount, step: str) -> bool:
    """A workflow step of the account's page (approve, reject, communications, activate, suspend...)."""
    if step == "communications":
        return can_confirm_communications(user, account)
    if step == "activate":
        return can_activate(user, account, administers=is_current_administrator(user, account))
    return can_decide(user, account)
