"""Who may see the reminder log of a district: its director and superintendent."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.access import POLICY_EDITORS, can_remind, get_district_for_user, get_staff_member_for_user, scope_for
from accounts.models import District, User


def can_see_log(user: User, district: District) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(district.pk, POLICY_EDITORS)


def get_log_district_for_user(user: User, slug: str) -> District:
    district = get_district_for_user(user, slug)  # 404 outside the user's districts
    if not can_see_log(user, district):
        raise PermissionDenied
    return district


def get_remindable_for_user(user: User, pk: int) -> User:
    """A staff member the user may send their reminder: 404 when out of sight, 403 when seen only."""
    member = get_staff_member_for_user(user, pk)
    if not can_remind(user, member):
        raise PermissionDenied
    return member
