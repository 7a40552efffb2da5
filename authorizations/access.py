"""Who may see, ask for, decide and end authorizations to use a tool with students. Views resolve
authorizations only through here: out of reach is 404, a step the user may not take is 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.access import DISTRICT_READERS, get_or_404, scope_for
from accounts.models import Program, Role, User
from authorizations.models import Authorization
from consent.access import program_staff, status_programs
from tools import access as tool_access
from tools.models import ApprovalPower, Designee

# District roles that see every authorization of their district.
AUTHORIZATION_READERS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})
# School roles that see the authorizations for their school's programs (clerks collect the forms).
AUTHORIZATION_READERS_SCHOOL = frozenset({Role.PRINCIPAL, Role.CLERK})


def visible_authorizations(user: User) -> QuerySet[Authorization]:
    """The staff member using the tool and whoever asked; district leadership and designees for
    authorizations; the principal and clerks of the program's school."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Authorization.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Authorization.objects.none()
    designee_of = Designee.objects.filter(
        user=user, power=ApprovalPower.INSTRUCTIONAL_USE, ends_on__isnull=True, starts_on__lte=timezone.localdate()
    ).values("district_id")
    return Authorization.objects.filter(
        Q(staff_member=user)
        | Q(requested_by=user)
        | Q(district_id__in=scope.district_ids(AUTHORIZATION_READERS))
        | Q(district_id__in=designee_of)
        | Q(program__school_id__in=scope.school_ids(AUTHORIZATION_READERS_SCHOOL))
    )


def get_authorization_for_user(user: User, pk: object) -> Authorization:
    return get_or_404(
        visible_authorizations(user).select_related(
            "district",
            "tool",
            "program__school",
            "staff_member",
            "requested_by",
            "decided_by",
            "ended_by",
            "participation_scope",
        ),
        pk=pk,
    )


def sees_participants(user: User, authorization: Authorization) -> bool:
    """Names and answers, student by student: whoever may see the program's consent status, and the
    staff member who runs the activity (they must know whom to leave out)."""
    return (
        authorization.staff_member_id == user.pk or status_programs(user).filter(pk=authorization.program_id).exists()
    )


def can_request_authorization(user: User) -> bool:
    return tool_access.can_request_tool(user)


def can_decide_authorization(user: User, authorization: Authorization) -> bool:
    return tool_access.can_take_decision(user, authorization.district, ApprovalPower.INSTRUCTIONAL_USE)


def can_withdraw_authorization(user: User, authorization: Authorization) -> bool:
    return user.pk in (authorization.staff_member_id, authorization.requested_by_id)


def request_programs(user: User) -> QuerySet[Program]:
    """Programs someone may ask to use a tool with: those of the schools they work at (any program of
    the district for district-wide roles)."""
    scope = scope_for(user)
    if not user.is_authenticated or not user.is_active or user.district_id is None:
        return Program.objects.none()
    programs = Program.objects.filter(active=True, school__district_id=user.district_id)
    if scope.has_district_role(user.district_id, DISTRICT_READERS):
        return programs
    return programs.filter(Q(school_id__in=scope.school_roles) | program_staff(user))
