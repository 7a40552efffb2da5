"""Who may read a district's audit log: its technology director and its superintendent."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.access import get_district_for_user, scope_for
from accounts.models import District, Role, User

AUDIT_READERS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})


def can_read_audit_log(user: User, district: District) -> bool:
    return scope_for(user).has_district_role(district.pk, AUDIT_READERS)


def get_audit_district_for_user(user: User, slug: str) -> District:
    """The district whose log is asked for: 404 outside the user's districts, 403 for other roles."""
    district = get_district_for_user(user, slug)
    if not can_read_audit_log(user, district):
        raise PermissionDenied
    return district
