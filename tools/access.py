"""Who may see the approved-tool list and tool requests, and who takes the decisions a district's
policy reserves (the Superintendent, a designee or the School Board). Views resolve tools, requests
and designees only through here: out of reach is 404, a step the user may not take is 403.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.access import DISTRICT_READERS, get_or_404, scope_for
from accounts.models import Approver, District, Membership, Role, User
from tools.models import ApprovalPower, DecidedAs, Designee, Spokesperson, Tool, ToolRequest

# Who keeps the approved-tool list's details up to date (decisions need the policy's approver).
TOOL_KEEPERS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})
# Who may enter a School Board decision into the record, citing the minutes.
BOARD_RECORDERS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})


# --- Decisions reserved by the policy: Superintendent, designee or School Board -------------

_APPROVER_FIELD = {
    ApprovalPower.TOOLS: "tool_approver",
    ApprovalPower.INSTRUCTIONAL_USE: "instructional_use_approver",
    ApprovalPower.LOGO_USE: "logo_use_approver",
    ApprovalPower.SPOKESPERSON: "spokesperson_approver",
}


def approver_for(district: District, power: str) -> str:
    """Who the district's policy names for a power (an accounts.Approver value)."""
    approver: str = getattr(district, _APPROVER_FIELD[ApprovalPower(power)])
    return approver


def current_designees(district: District, power: str, on: datetime.date | None = None) -> QuerySet[Designee]:
    on = on or timezone.localdate()
    return Designee.objects.filter(
        district=district, power=power, starts_on__lte=on, ends_on__isnull=True, user__is_active=True
    )


def decision_capacities(user: User, district: District, power: str) -> list[str]:
    """The capacities (DecidedAs values) in which `user` may take a decision the policy reserves.

    The Superintendent decides where the policy names them; a designee only where the policy says
    "or designee" and the Superintendent has designated them for this power; a School Board
    decision is entered by district leadership citing the minutes. Operators decide nothing.
    """
    scope = scope_for(user)
    if not user.is_authenticated or not user.is_active or user.district_id != district.pk:
        return []
    approver = approver_for(district, power)
    is_superintendent = scope.has_district_role(district.pk, {Role.SUPERINTENDENT})
    capacities: list[str] = []
    if is_superintendent and approver != Approver.SCHOOL_BOARD:
        capacities.append(DecidedAs.SUPERINTENDENT)
    if (
        approver == Approver.SUPERINTENDENT_OR_DESIGNEE
        and not is_superintendent
        and current_designees(district, power).filter(user=user).exists()
    ):
        capacities.append(DecidedAs.DESIGNEE)
    if approver in (Approver.SCHOOL_BOARD, Approver.SUPERINTENDENT_OR_BOARD) and scope.has_district_role(
        district.pk, BOARD_RECORDERS
    ):
        capacities.append(DecidedAs.SCHOOL_BOARD)
    return capacities


def decision_makers(district: District, power: str) -> QuerySet[User]:
    """Everyone who may take a reserved decision in `district` (whom reminders tell): the same rule
    as decision_capacities, asked of the whole staff at once."""
    approver = approver_for(district, power)
    roles: set[str] = set()
    if approver != Approver.SCHOOL_BOARD:
        roles.add(Role.SUPERINTENDENT)
    if approver in (Approver.SCHOOL_BOARD, Approver.SUPERINTENDENT_OR_BOARD):
        roles |= BOARD_RECORDERS
    holders = Membership.objects.filter(
        user=OuterRef("pk"), district=district, school__isnull=True, role__in=roles, ended_on__isnull=True
    )
    people = Q(Exists(holders))
    if approver == Approver.SUPERINTENDENT_OR_DESIGNEE:
        people |= Q(pk__in=current_designees(district, power).values("user_id"))
    return User.objects.filter(people, district=district, is_active=True)


def can_take_decision(user: User, district: District, power: str) -> bool:
    return bool(decision_capacities(user, district, power))


def can_manage_designees(user: User, district: District) -> bool:
    """Only the Superintendent designates someone to decide in their place."""
    return user.district_id == district.pk and scope_for(user).has_district_role(district.pk, {Role.SUPERINTENDENT})


def can_see_designees(user: User, district: District) -> bool:
    """District leadership, the communications office and the designees themselves may read the list."""
    scope = scope_for(user)
    return (
        can_manage_designees(user, district)
        or scope.has_district_role(district.pk, DISTRICT_READERS)
        or Designee.objects.filter(district=district, user=user, ends_on__isnull=True).exists()
    )


def can_record_logo_permission(user: User, district: District) -> bool:
    return can_take_decision(user, district, ApprovalPower.LOGO_USE)


# --- The approved-tool list and tool requests ------------------------------------------------


def _home_district_ids(user: User) -> set[int]:
    ids = scope_for(user).district_ids()
    if user.is_authenticated and user.is_active and user.district_id:
        ids.add(user.district_id)
    return ids


def visible_tools(user: User) -> QuerySet[Tool]:
    """Every member of a district's staff sees its whole list (the public sees the approved part)."""
    if scope_for(user).is_superuser:
        return Tool.objects.all()
    return Tool.objects.filter(district_id__in=_home_district_ids(user))


def can_maintain_tools(user: User, district: District) -> bool:
    """Add tools, keep their details and privacy agreements, retire them."""
    scope = scope_for(user)
    if scope.is_superuser or scope.has_district_role(district.pk, TOOL_KEEPERS):
        return True
    return can_take_decision(user, district, ApprovalPower.TOOLS)


def can_request_tool(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.district_id is not None


def visible_tool_requests(user: User) -> QuerySet[ToolRequest]:
    """Requesters see their own; leadership and tool designees their district's; principals
    the requests made for their schools."""
    scope = scope_for(user)
    if scope.is_superuser:
        return ToolRequest.objects.all()
    if not user.is_authenticated or not user.is_active:
        return ToolRequest.objects.none()
    designee_of = Designee.objects.filter(
        user=user, power=ApprovalPower.TOOLS, ends_on__isnull=True, starts_on__lte=timezone.localdate()
    ).values("district_id")
    return ToolRequest.objects.filter(
        Q(requested_by=user)
        | Q(district_id__in=scope.district_ids(TOOL_KEEPERS))
        | Q(district_id__in=designee_of)
        | Q(school_id__in=scope.school_ids({Role.PRINCIPAL}))
    )


def get_tool_for_user(user: User, pk: object) -> Tool:
    return get_or_404(visible_tools(user).select_related("district", "decided_by", "added_by"), pk=pk)


def get_tool_request_for_user(user: User, pk: object) -> ToolRequest:
    return get_or_404(
        visible_tool_requests(user).select_related("district", "requested_by", "tool", "school", "decided_by"), pk=pk
    )


def get_designee_for_user(user: User, pk: object) -> Designee:
    designee = get_or_404(Designee.objects.select_related("district", "user"), pk=pk)
    if not can_manage_designees(user, designee.district):
        raise Http404
    return designee


def may_hold_reserved_powers(user: User, district: District) -> bool:
    """Whether `user` could take any decision the policy reserves (a cheap first question before
    asking decision_capacities power by power): the Superintendent, district leadership recording
    the School Board's decisions, or someone designated (one query, only for the last)."""
    if scope_for(user).has_district_role(district.pk, {Role.SUPERINTENDENT} | BOARD_RECORDERS):
        return True
    return Designee.objects.filter(district=district, user=user, ends_on__isnull=True).exists()


def can_authorize_spokespeople(user: User, district: District) -> bool:
    """Whoever the policy names for speaking for the district, in a capacity they hold."""
    return bool(decision_capacities(user, district, ApprovalPower.SPOKESPERSON))


def get_spokesperson_for_user(user: User, pk: int) -> Spokesperson:
    """An entry of the register of the user's own district (404 otherwise: another district's does not exist)."""
    if user.district_id is None:
        raise Http404
    try:
        return Spokesperson.objects.select_related("district", "person").get(pk=pk, district_id=user.district_id)
    except (Spokesperson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- The families' technology notice -----------------------------------------------------------


def can_see_technology_notice(user: User, district: District) -> bool:
    """District leadership and the communications office follow the notice of their own district."""
    return user.district_id == district.pk and scope_for(user).has_district_role(district.pk, DISTRICT_READERS)


def can_publish_technology_notice(user: User, district: District) -> bool:
    """The technology director publishes the notice and sends it to the families."""
    return (
        user.is_active
        and user.district_id == district.pk
        and scope_for(user).has_district_role(district.pk, {Role.DIRECTOR})
    )
