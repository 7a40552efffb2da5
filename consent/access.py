"""Who may see and record a student's consent status. Consent views resolve objects here.

A student's status is seen only by the staff of the student's school (every role, so a
teacher can check before posting) and by district-wide roles of the student's district.
Staff who advise, coach or teach a program also see that program's list. Out-of-reach
objects are answered with 404; actions a role may not take are answered with 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access import (
    DISTRICT_READERS,
    POLICY_EDITORS,
    STUDENT_READERS_SCHOOL,
    get_district_for_user,
    get_or_404,
    scope_for,
)
from accounts.models import District, Program, ProgramMembership, ProgramRole, Role, School, Student, User
from consent.models import ConsentImport, ConsentScope, FamilyLink, ScopeKind
from registry import access as registry_access
from registry.models import LIVE_STATUSES, OwnerKind, SocialAccount

# Who enters families' answers: office clerks and principals for their schools, district leadership.
RECORDERS_DISTRICT = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})
RECORDERS_SCHOOL = STUDENT_READERS_SCHOOL
# Who sees the privacy log and runs the district's consent settings.
CONSENT_MANAGERS = POLICY_EDITORS
PROGRAM_STAFF_ROLES = (ProgramRole.ADVISOR, ProgramRole.COACH, ProgramRole.TEACHER)


def status_schools(user: User) -> QuerySet[School]:
    """Schools whose students' consent status the user may see."""
    scope = scope_for(user)
    if scope.is_superuser:
        return School.objects.all()
    return School.objects.filter(Q(district_id__in=scope.district_ids(DISTRICT_READERS)) | Q(pk__in=scope.school_roles))


def status_students(user: User) -> QuerySet[Student]:
    return Student.objects.filter(school__in=status_schools(user))


def program_staff(user: User) -> Exists:
    return Exists(
        ProgramMembership.objects.filter(
            program=OuterRef("pk"), user=user, role__in=PROGRAM_STAFF_ROLES, ended_on__isnull=True
        )
    )


def status_programs(user: User) -> QuerySet[Program]:
    if not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    return Program.objects.filter(Q(school__in=status_schools(user)) | program_staff(user))


def recording_schools(user: User) -> QuerySet[School]:
    scope = scope_for(user)
    if scope.is_superuser:
        return School.objects.all()
    return School.objects.filter(
        Q(district_id__in=scope.district_ids(RECORDERS_DISTRICT)) | Q(pk__in=scope.school_ids(RECORDERS_SCHOOL))
    )


def recording_students(user: User) -> QuerySet[Student]:
    return Student.objects.filter(school__in=recording_schools(user))


def get_family_link_for_user(user: User, pk: int) -> FamilyLink:
    """A family's consent link of a student at a school the user records for (404 otherwise)."""
    return get_or_404(
        FamilyLink.objects.select_related("student__school", "guardian"),
        pk=pk,
        student__school__in=recording_schools(user),
    )


def can_record(user: User, school: School) -> bool:
    return recording_schools(user).filter(pk=school.pk).exists()


def can_record_anywhere(user: User) -> bool:
    scope = scope_for(user)
    return (
        scope.is_superuser or bool(scope.district_ids(RECORDERS_DISTRICT)) or bool(scope.school_ids(RECORDERS_SCHOOL))
    )


def can_manage(user: User, district: District) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.has_district_role(district.pk, CONSENT_MANAGERS)


def import_districts(user: User) -> QuerySet[District]:
    """Districts where the user may upload consent files (for the students they may record)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return District.objects.all()
    ids = scope.district_ids(RECORDERS_DISTRICT) | {
        scope.school_district[s] for s in scope.school_ids(RECORDERS_SCHOOL)
    }
    return District.objects.filter(pk__in=ids)


# --- Look-ups for views ---------------------------------------------------------------------


def get_school_for_user(user: User, pk: object) -> School:
    return get_or_404(status_schools(user).select_related("district"), pk=pk)


def get_program_for_user(user: User, pk: object) -> Program:
    return get_or_404(status_programs(user).select_related("school__district"), pk=pk)


def get_student_for_user(user: User, pk: object) -> Student:
    return get_or_404(status_students(user).select_related("school", "district"), pk=pk)


def get_recording_school_for_user(user: User, pk: object) -> School:
    school = get_school_for_user(user, pk)
    if not can_record(user, school):
        raise PermissionDenied
    return school


def get_account_for_user(user: User, pk: int) -> SocialAccount:
    """An official account the user can see in the registry (404 otherwise)."""
    return registry_access.get_account_for_user(user, pk)


def posting_accounts(user: User) -> QuerySet[SocialAccount]:
    """The live official accounts the user runs or holds: the ones the quick check names."""
    return registry_access.accounts_of_user(user).filter(status__in=LIVE_STATUSES).order_by("display_name", "pk")


def account_students(user: User, account: SocialAccount) -> QuerySet[Student]:
    """The students who could appear on an account: its program's members, its school's
    students, the district's students, or the students of the programs its staff owner
    runs; always narrowed to the students the user may see."""
    students = status_students(user).filter(active=True)
    if account.owner_kind == OwnerKind.PROGRAM:
        return students.filter(programs__program=account.program_id, programs__ended_on__isnull=True)
    if account.owner_kind == OwnerKind.SCHOOL:
        return students.filter(school=account.school_id)
    if account.owner_kind == OwnerKind.STAFF:
        runs = ProgramMembership.objects.filter(
            user=account.owner_staff_id, role__in=PROGRAM_STAFF_ROLES, ended_on__isnull=True
        ).values("program_id")
        member_of = ProgramMembership.objects.filter(student=OuterRef("pk"), program_id__in=runs, ended_on__isnull=True)
        return students.filter(Exists(member_of))
    return students.filter(district_id=account.district_id)


def get_scope_for_user(user: User, pk: object) -> ConsentScope:
    """A picture scope to edit; a participation scope follows its authorization and is not edited here."""
    scope = scope_for(user)
    scopes = ConsentScope.objects.exclude(kind=ScopeKind.PARTICIPATION).select_related("district")
    if not scope.is_superuser:
        scopes = scopes.filter(district_id__in=scope.district_ids())
    return get_or_404(scopes, pk=pk)


def get_managed_district_for_user(user: User, slug: str) -> District:
    district = get_district_for_user(user, slug)
    if not can_manage(user, district):
        raise PermissionDenied
    return district


def get_import_district_for_user(user: User, slug: str) -> District:
    return get_or_404(import_districts(user), slug=slug)


def get_import_for_user(user: User, pk: object) -> ConsentImport:
    """An upload: its uploader sees it, and so do the district's consent managers."""
    scope = scope_for(user)
    imports = ConsentImport.objects.select_related("district", "uploaded_by")
    if not scope.is_superuser:
        imports = imports.filter(
            Q(uploaded_by=user) | Q(district_id__in=scope.district_ids(CONSENT_MANAGERS)),
            district_id__in=scope.district_ids(),
        )
    return get_or_404(imports, pk=pk)
