"""Read-side questions about the directory, shared by views, dashboards and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import (
    DisclosureRecipient,
    District,
    Membership,
    PolicyDocument,
    Role,
    RosterImport,
    RosterPreviewRow,
    School,
    Student,
    StudentGuardian,
    User,
)


def _count(queryset: QuerySet[Any], outer: str = "pk") -> Coalesce:
    """A correlated COUNT(*) subquery: one query for a whole page of rows."""
    counted = queryset.order_by().values(outer).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def schools_with_counts(queryset: QuerySet[School]) -> QuerySet[School]:
    return queryset.select_related("district").annotate(
        student_count=_count(Student.objects.filter(school=OuterRef("pk"), active=True), "school"),
        staff_count=_count(
            Membership.objects.filter(school=OuterRef("pk"), role=Role.STAFF, ended_on__isnull=True), "school"
        ),
        has_principal=Exists(
            Membership.objects.filter(school=OuterRef("pk"), role=Role.PRINCIPAL, ended_on__isnull=True)
        ),
    )


def without_principal(schools: QuerySet[School]) -> QuerySet[School]:
    principal = Membership.objects.filter(school=OuterRef("pk"), role=Role.PRINCIPAL, ended_on__isnull=True)
    return schools.filter(active=True).exclude(Exists(principal))


def schools_without_principal(district: District) -> QuerySet[School]:
    return without_principal(district.schools.all())


def current_staff(district: District) -> QuerySet[User]:
    return User.objects.filter(district=district, is_active=True)


def technology_directors(district: District | None) -> QuerySet[User]:
    """Whom staff ask about their sign-in and their record: the district's technology directors."""
    if district is None:
        return User.objects.none()
    directors = Membership.objects.filter(
        district=district, role=Role.DIRECTOR, school__isnull=True, ended_on__isnull=True
    ).values("user_id")
    return User.objects.filter(pk__in=directors, is_active=True).order_by("last_name", "first_name")


def without_current_supervisor(district: District) -> QuerySet[User]:
    """Active staff whose disclosure has no supervisor to go to, where the policy sends disclosures
    to supervisors: none named, or one who has left. The Superintendent answers to the Board, not
    to a supervisor, so holders of that role are not listed. Empty (no query) in other districts."""
    if district.disclosure_recipient != DisclosureRecipient.SUPERVISOR:
        return User.objects.none()
    superintendents = Membership.objects.filter(
        district=district, role=Role.SUPERINTENDENT, ended_on__isnull=True
    ).values("user_id")
    return (
        User.objects.filter(district=district, is_active=True)
        .filter(Q(supervisor__isnull=True) | Q(supervisor__is_active=False) | ~Q(supervisor__district=district))
        .exclude(pk__in=superintendents)
    )


def never_signed_in(district: District) -> QuerySet[User]:
    """Active staff of the district who have not signed in yet (invitations go to them)."""
    return User.objects.filter(district=district, is_active=True, last_login__isnull=True)


def school_staff(school: School) -> QuerySet[User]:
    """Active people holding a current role at `school`."""
    members = Membership.objects.filter(school=school, ended_on__isnull=True).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True)


def staff_search(queryset: QuerySet[User], query: str) -> QuerySet[User]:
    for word in query.split()[:5]:
        queryset = queryset.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(employee_id__iexact=word)
        )
    return queryset


def student_search(queryset: QuerySet[Student], query: str) -> QuerySet[Student]:
    for word in query.split()[:5]:
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(sis_id__iexact=word)
        )
    return queryset


def latest_roster_import(district: District) -> RosterImport | None:
    return district.roster_imports.order_by("-created_at").first()


def roster_import_progress(roster_import: RosterImport) -> dict[str, Any]:
    """How far a running import has got (kept in the cache: the import's own transaction
    hides its rows from everyone else until it commits)."""
    if roster_import.is_finished:
        return {"fraction": 1.0, "message": roster_import.get_status_display()}
    try:
        found = cache.get(roster_import.progress_cache_key)
    except Exception:
        found = None
    return found or {"fraction": 0.0, "message": roster_import.get_status_display()}


@dataclass(frozen=True)
class SignInProvider:
    id: str
    name: str


def sign_in_providers() -> list[SignInProvider]:
    """The providers this installation offers (those with credentials), by name."""
    from allauth.socialaccount.adapter import get_adapter

    return [SignInProvider(p.id, p.name) for p in get_adapter().list_providers(None)]


def current_guardians(student: Student) -> QuerySet[StudentGuardian]:
    """The student's current guardians, as links (the relationship is the link's): nothing about the
    guardian's other children, who may be at a school the reader does not cover."""
    return (
        StudentGuardian.objects.filter(student=student, ended_on__isnull=True, guardian__active=True)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name", "pk")
    )


def preview_rows(roster_import: RosterImport) -> QuerySet[RosterPreviewRow]:
    return RosterPreviewRow.objects.filter(roster_import=roster_import).order_by("entity", "action", "name", "pk")


def current_policy_documents(district: District) -> QuerySet[PolicyDocument]:
    """The versions in force of the district's policy documents, by number."""
    return PolicyDocument.objects.filter(district=district, current=True).select_related("district").order_by("number")


def policy_versions_read(district: District) -> str:
    """What someone who acknowledges or attests today has read: each current document's version."""
    return "; ".join(document.version_label for document in current_policy_documents(district))[:300]
