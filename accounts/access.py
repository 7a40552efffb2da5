"""Who may see and change what. Every view resolves its objects through this module.

Roles are current memberships (see models.Membership). A district never sees another
district's data; a school role sees its own school(s) only. Objects outside a user's reach
are answered with 404, so their existence is not revealed; pages a role may not use at all
are answered with 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from accounts.models import District, Membership, Role, RosterImport, School, Student, User

_M = TypeVar("_M", bound=Model)

# Roles that see every school of their district.
DISTRICT_READERS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT, Role.COMMUNICATIONS})
# Roles that see students' records (names, grades, programs) of the schools they cover.
STUDENT_READERS_DISTRICT = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})
STUDENT_READERS_SCHOOL = frozenset({Role.PRINCIPAL, Role.CLERK})
# Roles that run the directory: roster imports, role assignments.
DIRECTORY_MANAGERS = frozenset({Role.DIRECTOR})
# Roles that may change the district's policy profile.
POLICY_EDITORS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})


@dataclass(frozen=True)
class AccessScope:
    """A user's current roles, read once per request."""

    is_superuser: bool = False
    district_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    school_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    school_district: dict[int, int] = field(default_factory=dict)

    def district_ids(self, roles: Iterable[str] | None = None) -> set[int]:
        """Districts where the user holds one of `roles` district-wide (any role if None)."""
        wanted = None if roles is None else set(roles)
        found = {d for d, held in self.district_roles.items() if wanted is None or held & wanted}
        if wanted is None:
            found |= set(self.school_district.values())
        return found

    def school_ids(self, roles: Iterable[str]) -> set[int]:
        wanted = set(roles)
        return {s for s, held in self.school_roles.items() if held & wanted}

    def roles(self) -> set[str]:
        held: set[str] = set()
        for roles in (*self.district_roles.values(), *self.school_roles.values()):
            held |= roles
        return held

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    def has_district_role(self, district_id: int, roles: Iterable[str]) -> bool:
        return bool(self.district_roles.get(district_id, frozenset()) & set(roles))


def scope_for(user: User | AnonymousUser) -> AccessScope:
    """The user's roles, cached on the user object for the rest of the request."""
    if not user.is_authenticated or not user.is_active:
        return AccessScope()
    cached: AccessScope | None = getattr(user, "_access_scope", None)
    if cached is not None:
        return cached
    district_roles: dict[int, set[str]] = {}
    school_roles: dict[int, set[str]] = {}
    school_district: dict[int, int] = {}
    # A district-wide role has no school (django-stubs types the column as never empty).
    rows: Iterable[tuple[str, int, int | None]] = Membership.objects.filter(
        user=user, ended_on__isnull=True
    ).values_list("role", "district_id", "school_id")
    for role, district_id, school_id in rows:
        if school_id is None:
            district_roles.setdefault(district_id, set()).add(role)
        else:
            school_roles.setdefault(school_id, set()).add(role)
            school_district[school_id] = district_id
    scope = AccessScope(
        is_superuser=user.is_superuser,
        district_roles={k: frozenset(v) for k, v in district_roles.items()},
        school_roles={k: frozenset(v) for k, v in school_roles.items()},
        school_district=school_district,
    )
    user._access_scope = scope  # type: ignore[attr-defined]  # a per-request cache on the user object
    return scope


# --- What a user may see ----------------------------------------------------------------


def visible_districts(user: User) -> QuerySet[District]:
    scope = scope_for(user)
    if scope.is_superuser:
        return District.objects.all()
    return District.objects.filter(pk__in=scope.district_ids())


def visible_schools(user: User) -> QuerySet[School]:
    scope = scope_for(user)
    if scope.is_superuser:
        return School.objects.all()
    district_ids = scope.district_ids(DISTRICT_READERS)
    school_ids = set(scope.school_roles)
    return School.objects.filter(pk__in=school_ids) | School.objects.filter(district_id__in=district_ids)


def visible_staff(user: User | AnonymousUser) -> QuerySet[User]:
    """Directors, superintendents and communications see their district's staff; principals
    the staff of their schools; everyone else only themselves."""
    scope = scope_for(user)
    if scope.is_superuser:
        return User.objects.all()
    if not user.is_authenticated:
        return User.objects.none()
    district_ids = scope.district_ids(DISTRICT_READERS)
    school_ids = scope.school_ids({Role.PRINCIPAL})
    works_at_school = Membership.objects.filter(user=OuterRef("pk"), school_id__in=school_ids, ended_on__isnull=True)
    return (
        User.objects.filter(district_id__in=district_ids)
        | User.objects.filter(Exists(works_at_school))
        | User.objects.filter(pk=user.pk)
    )


def visible_students(user: User) -> QuerySet[Student]:
    """Student records: district leadership for the district, principals and clerks for
    their own schools, nobody else (staff use do-not-post lists, not the directory)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Student.objects.all()
    district_ids = scope.district_ids(STUDENT_READERS_DISTRICT)
    school_ids = scope.school_ids(STUDENT_READERS_SCHOOL)
    return Student.objects.filter(district_id__in=district_ids) | Student.objects.filter(school_id__in=school_ids)


def can_read_students(user: User) -> bool:
    scope = scope_for(user)
    return (
        scope.is_superuser
        or bool(scope.district_ids(STUDENT_READERS_DISTRICT))
        or bool(scope.school_ids(STUDENT_READERS_SCHOOL))
    )


def can_read_staff_directory(user: User) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.district_ids(DISTRICT_READERS)) or bool(scope.school_ids({Role.PRINCIPAL}))


def visible_memberships(user: User | AnonymousUser) -> QuerySet[Membership]:
    """The roles of the staff the user may see (ending one still needs can_manage_directory)."""
    return Membership.objects.filter(user__in=visible_staff(user).values("pk"))


def can_manage_directory(user: User, district: District) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(district.pk, DIRECTORY_MANAGERS)


def can_remind(user: User, member: User) -> bool:
    """Who may send a staff member their reminder of what they owe now: the district's director and
    superintendent, and the principal of a school the member currently works at."""
    if member.district_id is None or not member.is_active:
        return False
    scope = scope_for(user)
    if scope.is_superuser or scope.has_district_role(member.district_id, POLICY_EDITORS):
        return True
    schools = scope.school_ids({Role.PRINCIPAL})
    return (
        bool(schools) and Membership.objects.filter(user=member, school_id__in=schools, ended_on__isnull=True).exists()
    )


def can_edit_policy(user: User, district: District) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(district.pk, POLICY_EDITORS)


def can_change_reserved_powers(user: User, district: District) -> bool:
    """Who decides the Superintendent's reserved matters (tools, instructional use, the logo) is
    changed by the Superintendent, the holder of those powers, or by the site's operators; a director
    who could change it could give themselves the powers."""
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(district.pk, {Role.SUPERINTENDENT})


def managed_districts(user: User) -> QuerySet[District]:
    scope = scope_for(user)
    if scope.is_superuser:
        return District.objects.all()
    return District.objects.filter(pk__in=scope.district_ids(DIRECTORY_MANAGERS))


# --- Object look-ups for views: 404 outside the user's reach ------------------------------


def get_or_404(queryset: QuerySet[_M], **lookup: object) -> _M:
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def get_district_for_user(user: User, slug: str) -> District:
    return get_or_404(visible_districts(user), slug=slug)


def get_managed_district_for_user(user: User, slug: str) -> District:
    district = get_district_for_user(user, slug)
    if not can_manage_directory(user, district):
        raise PermissionDenied
    return district


def get_school_for_user(user: User, pk: int) -> School:
    return get_or_404(visible_schools(user).select_related("district"), pk=pk)


def get_staff_member_for_user(user: User, pk: int) -> User:
    return get_or_404(visible_staff(user).select_related("district"), pk=pk)


def get_student_for_user(user: User, pk: int) -> Student:
    return get_or_404(visible_students(user).select_related("school", "district"), pk=pk)


def get_roster_import_for_user(user: User, pk: int) -> RosterImport:
    return get_or_404(
        RosterImport.objects.filter(district__in=managed_districts(user)).select_related("district", "uploaded_by"),
        pk=pk,
    )
