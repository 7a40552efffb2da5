"""Who may see the reminder log of a district: its director and superintendent."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.access import POLICY_EDITORS, get_district_for_user, scope_for
from accounts.models import District, User


def can_see_log(user: User, district: District) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(district.pk, POLICY_EDITORS)


def get_log_district_for_user(user: User, slug: str) -> District:
    district = get_district_for_user(user, slug)  # 404 outside the user's districts
    if not can_see_log(user, district):
        raise PermissionDenied
    return district
