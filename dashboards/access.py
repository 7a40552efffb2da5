"""Who sees which dashboard. Views resolve their school or district here.

A school's dashboard: its principals and the district's leadership (director, superintendent).
The district dashboard: the district's leadership. Outside the user's district or schools the
answer is 404 (nothing is revealed); inside, a role without a dashboard gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts import access as accounts_access
from accounts.models import District, Role, School, User
from disclosures import access as disclosures_access

DISTRICT_DASHBOARD_ROLES = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})


def sees_district_dashboard(user: User, district: District) -> bool:
    scope = accounts_access.scope_for(user)
    return scope.is_superuser or scope.has_district_role(district.pk, DISTRICT_DASHBOARD_ROLES)


def sees_school_dashboard(user: User, school: School) -> bool:
    scope = accounts_access.scope_for(user)
    return sees_district_dashboard(user, school.district) or school.pk in scope.school_ids({Role.PRINCIPAL})


def principal_schools(user: User) -> QuerySet[School]:
    """The schools whose dashboard is the user's home."""
    ids = accounts_access.scope_for(user).school_ids({Role.PRINCIPAL})
    return School.objects.filter(pk__in=ids, active=True).select_related("district").order_by("name", "pk")


def leadership_districts(user: User) -> QuerySet[District]:
    scope = accounts_access.scope_for(user)
    return District.objects.filter(pk__in=scope.district_ids(DISTRICT_DASHBOARD_ROLES)).order_by("name")


def get_district_dashboard_for_user(user: User, slug: str) -> District:
    district = accounts_access.get_district_for_user(user, slug)
    if not sees_district_dashboard(user, district):
        raise PermissionDenied
    return district


def get_school_dashboard_for_user(user: User, pk: object) -> School:
    school = accounts_access.get_or_404(accounts_access.visible_schools(user).select_related("district"), pk=pk)
    if not sees_school_dashboard(user, school):
        raise PermissionDenied
    return school


def disclosure_names_for(user: User, district: District) -> QuerySet[User] | None:
    """Whose names the dashboard may list with their filing status, or None when the policy
    sends disclosures past this user (a principal where they go to the district office)."""
    if not disclosures_access.can_track(user, district):
        return None
    return disclosures_access.trackable_staff(user)
