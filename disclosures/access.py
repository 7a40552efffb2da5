"""Who sees whose disclosures. Staff see only their own; the recipient the district's policy
names sees the staff they cover:

- district: the technology director and the superintendent, for the whole district;
- school: also the principals of the schools the employee works at;
- supervisor: also the employee's supervisor (and, as for the school, their principals).

District leadership always sees its district: it runs the cycle and answers for it. Nobody
reviews their own disclosure. A district whose policy requires no disclosure shows none.
"""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet

from accounts.access import get_or_404, scope_for
from accounts.models import DisclosureRecipient, District, Membership, Role, User
from disclosures.models import DisclosedNetwork, Disclosure, DisclosureCycle, DisclosureState

# Roles that run the cycles and see every disclosure of their district.
CYCLE_MANAGERS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})


def enabled(district: District | None) -> TypeGuard[District]:
    return district is not None and district.disclosure_required


def _covered_q(user: User, prefix: str = "") -> Q:
    """Employees (users) whose disclosures `user` receives, besides their own."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q(**{f"{prefix}district__disclosure_required": True})
    district_ids = scope.district_ids(CYCLE_MANAGERS)
    covered = Q(**{f"{prefix}district_id__in": district_ids})
    principal_of = scope.school_ids({Role.PRINCIPAL})
    if principal_of:
        # IN (a subquery), not EXISTS inside the OR: the database hashes the school's staff once.
        works_there = Membership.objects.filter(school_id__in=principal_of, ended_on__isnull=True).values("user_id")
        covered |= Q(
            **{
                f"{prefix}pk__in": works_there,
                f"{prefix}district__disclosure_recipient__in": [
                    DisclosureRecipient.SCHOOL,
                    DisclosureRecipient.SUPERVISOR,
                ],
            },
        )
    # Only within the supervisor's own district: a link left over after a move reveals nothing.
    covered |= Q(
        **{
            f"{prefix}supervisor": user,
            f"{prefix}district_id": user.district_id,
            f"{prefix}district__disclosure_recipient": DisclosureRecipient.SUPERVISOR,
        }
    )
    return covered & Q(**{f"{prefix}district__disclosure_required": True}) & ~Q(**{f"{prefix}pk": user.pk})


def covered_staff(user: User | AnonymousUser) -> QuerySet[User]:
    """The staff whose disclosures `user` receives and may review (never themselves)."""
    if not user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(_covered_q(user))


def can_review_anyone(user: User) -> bool:
    return covered_staff(user).exists()


def visible_disclosures(user: User | AnonymousUser) -> QuerySet[Disclosure]:
    if not user.is_authenticated:
        return Disclosure.objects.none()
    own = Q(employee=user, cycle__district__disclosure_required=True)
    # Drafts stay the employee's own until they are signed and sent.
    # Only filings made in the employee's current district: a person moved between districts
    # does not carry their old filings (and reviewers' comments) to the new district's leaders.
    received = (
        _covered_q(user, prefix="employee__")
        & ~Q(state=DisclosureState.DRAFT)
        & Q(cycle__district_id=F("employee__district_id"))
    )
    return Disclosure.objects.filter(own | received)


def can_review(user: User, disclosure: Disclosure) -> bool:
    return disclosure.employee_id != user.pk and covered_staff(user).filter(pk=disclosure.employee_id).exists()


def can_manage_cycles(user: User, district: District | None) -> bool:
    scope = scope_for(user)
    return enabled(district) and (scope.is_superuser or scope.has_district_role(district.pk, CYCLE_MANAGERS))


def visible_cycles(user: User) -> QuerySet[DisclosureCycle]:
    scope = scope_for(user)
    cycles = DisclosureCycle.objects.filter(district__disclosure_required=True)
    if scope.is_superuser:
        return cycles
    return cycles.filter(district_id__in=scope.district_ids())


# --- Look-ups for views: 404 outside the user's reach -------------------------------------


def get_disclosure_for_user(user: User, pk: int) -> Disclosure:
    return get_or_404(
        visible_disclosures(user).select_related("cycle__district", "employee", "decided_by", "amends"), pk=pk
    )


def get_reviewable_disclosure_for_user(user: User, pk: int) -> Disclosure:
    """A disclosure to review or comment on: 404 out of reach, 403 for those who may only read it
    (the employee themselves), refused before the form is read."""
    disclosure = get_disclosure_for_user(user, pk)
    if not can_review(user, disclosure):
        raise PermissionDenied
    return disclosure


def get_own_disclosure_for_user(user: User, pk: int) -> Disclosure:
    """A disclosure the user may change: only their own."""
    return get_or_404(
        Disclosure.objects.filter(employee=user, cycle__district__disclosure_required=True).select_related(
            "cycle__district", "employee"
        ),
        pk=pk,
    )


def get_own_network_for_user(user: User, pk: int) -> DisclosedNetwork:
    return get_or_404(
        DisclosedNetwork.objects.filter(
            disclosure__employee=user, disclosure__cycle__district__disclosure_required=True
        ).select_related("disclosure__cycle__district", "disclosure__employee"),
        pk=pk,
    )


def get_cycle_for_user(user: User, pk: int) -> DisclosureCycle:
    return get_or_404(visible_cycles(user).select_related("district"), pk=pk)


def get_managed_cycle_for_user(user: User, pk: int) -> DisclosureCycle:
    cycle = get_cycle_for_user(user, pk)
    if not can_manage_cycles(user, cycle.district):
        raise PermissionDenied
    return cycle


def trackable_staff(user: User | AnonymousUser) -> QuerySet[User]:
    """Whose filing status a user may follow: the staff they cover, and themselves."""
    if not user.is_authenticated:
        return User.objects.none()
    trackable = User.objects.filter(_covered_q(user) | Q(pk=user.pk))
    scope = scope_for(user)
    if not scope.is_superuser and not scope.district_ids(CYCLE_MANAGERS):
        # A principal or a supervisor follows a few people: name them first (an index finds them), so
        # the rule above is checked on those few, not on the whole staff table. Everyone the rule
        # covers is in this set (their school's staff, their supervisees, themselves): nobody is added.
        schools = scope.school_ids({Role.PRINCIPAL})
        candidates = User.objects.filter(Q(supervisor=user) | Q(pk=user.pk)).order_by().values("pk")
        works_there = Membership.objects.filter(school_id__in=schools, ended_on__isnull=True).order_by()
        trackable = trackable.filter(pk__in=candidates.union(works_there.values("user_id")))
    return trackable


def can_track(user: User, district: District) -> bool:
    return can_manage_cycles(user, district) or covered_staff(user).filter(district=district).exists()
