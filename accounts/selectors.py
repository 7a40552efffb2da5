"""Read-side questions about the directory, shared by views, dashboards and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.db.models.lookups import IExact

from accounts.models import (
    DisclosureRecipient,
    District,
    Membership,
    PolicyDocument,
    Program,
    ProgramKind,
    Role,
    RosterImport,
    RosterPreviewRow,
    School,
    Student,
    StudentGuardian,
    User,
)

_M = TypeVar("_M", bound=Model)


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


# --- Pickers: choosing a person, a school or a program by typing part of a name -----------------------

PICKER_RESULTS = 10
PICKER_MIN_LENGTH = 2  # one letter matches half the district: nothing is looked up before the second


def _picker_words(query: str) -> list[str]:
    return [word for word in query.split()[:5] if word]


def _word_condition(column: str, word: str) -> Q:
    """Three letters or more: anywhere in the column (a trigram index on PostgreSQL answers it); fewer: the
    start of one of its words ("hi" finds North High), which the same index answers from its word-start
    trigrams."""
    if len(word) >= 3:
        return Q(**{f"{column}__icontains": word})
    return Q(**{f"{column}__istartswith": word}) | Q(**{f"{column}__icontains": f" {word}"})


def _matching(queryset: QuerySet[_M], query: str, columns: tuple[str, ...]) -> QuerySet[_M]:
    for word in _picker_words(query):
        condition = Q()
        for column in columns:
            condition |= _word_condition(column, word)
        queryset = queryset.filter(condition)
    return queryset


def _best_first(queryset: QuerySet[_M], query: str, columns: tuple[str, ...], *order: str) -> QuerySet[_M]:
    """Names that start with the first word typed before names that only contain it."""
    words = _picker_words(query)
    starts = Q()
    for column in columns:
        starts |= Q(**{f"{column}__istartswith": words[0] if words else ""})
    ranked: QuerySet[_M] = queryset.annotate(
        picker_rank=Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    return ranked.order_by("picker_rank", *order, "pk")


def staff_picker_search(queryset: QuerySet[User], query: str) -> QuerySet[User]:
    """Active staff whose name or e-mail holds every word typed, best match first, each with their current
    roles (`current_roles`, schools loaded) so two people of the same name can be told apart."""
    found = _matching(queryset.filter(is_active=True), query, ("first_name", "last_name", "email"))
    found = _best_first(found, query, ("last_name", "first_name", "email"), "last_name", "first_name")
    roles = Membership.objects.filter(ended_on__isnull=True).select_related("school").order_by("role", "pk")
    return found.prefetch_related(Prefetch("memberships", queryset=roles, to_attr="current_roles"))


def staff_picker_exact(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    """The active staff member whose e-mail address (stored in lower case) or whole name is `text`."""
    text = text.strip()
    active = queryset.filter(is_active=True)
    if "@" in text:
        return active.filter(email=text.lower())
    whole_name: IExact[str] = IExact(Concat("first_name", Value(" "), "last_name"), " ".join(text.split()))
    return _matching(active, text, ("first_name", "last_name")).filter(whole_name)


def student_picker_search(queryset: QuerySet[Student], query: str) -> QuerySet[Student]:
    """Active students by name, or by their student id when what is typed holds a digit."""
    active = queryset.filter(active=True).select_related("school")
    if any(character.isdigit() for character in query):
        return active.filter(sis_id=query.strip()).order_by("last_name", "first_name", "pk")
    found = _matching(active, query, ("first_name", "last_name"))
    return _best_first(found, query, ("last_name", "first_name"), "last_name", "first_name")


def student_picker_exact(queryset: QuerySet[Student], text: str) -> QuerySet[Student]:
    text = text.strip()
    active = queryset.filter(active=True)
    if any(character.isdigit() for character in text):
        return active.filter(sis_id=text)
    whole_name: IExact[str] = IExact(Concat("first_name", Value(" "), "last_name"), " ".join(text.split()))
    return _matching(active, text, ("first_name", "last_name")).filter(whole_name)


def school_picker_search(queryset: QuerySet[School], query: str) -> QuerySet[School]:
    found = _matching(queryset.filter(active=True), query, ("name",))
    return _best_first(found, query, ("name",), "name")


def school_label(school: School) -> str:
    """What a school picker puts in its field: the name, and the school code when it has one (two schools
    of a district may share a name, never a code)."""
    return f"{school.name} ({school.code})" if school.code else school.name


def school_picker_exact(queryset: QuerySet[School], text: str) -> QuerySet[School]:
    """`Name (code)` as the picker writes it, the name alone, or the code alone."""
    text = " ".join(text.split())
    active = queryset.filter(active=True)
    name, bracket, code = text.rpartition(" (")
    if bracket and code.endswith(")") and code[:-1]:
        return active.filter(name__iexact=name, code__iexact=code[:-1])
    return active.filter(Q(name__iexact=text) | Q(code__iexact=text) & ~Q(code=""))


PROGRAM_SCHOOL_SEPARATOR = " — "


def program_label(program: Program) -> str:
    """What a program picker puts in its field: the program and its school, the way it is typed back."""
    return f"{program.name}{PROGRAM_SCHOOL_SEPARATOR}{program.school.name}"


def program_picker_search(queryset: QuerySet[Program], query: str) -> QuerySet[Program]:
    """Active programs by their name (the school's name does not count: a school has hundreds)."""
    name = query.split(PROGRAM_SCHOOL_SEPARATOR.strip())[0]
    found = _matching(queryset.filter(active=True).select_related("school"), name, ("name",))
    return _best_first(found, name, ("name",), "name", "school__name")


def program_picker_exact(queryset: QuerySet[Program], text: str) -> QuerySet[Program]:
    """`Name — School` as the picker writes it, or the program's name alone."""
    name, _separator, school = (" ".join(part.split()) for part in text.partition(PROGRAM_SCHOOL_SEPARATOR.strip()))
    found = _matching(queryset.filter(active=True), name, ("name",)).filter(name__iexact=name)
    return found.filter(school__name__iexact=school) if school else found


def account_programs(programs: QuerySet[Program]) -> QuerySet[Program]:
    """The programs an official account may represent: active clubs, teams, activities and departments
    (a class has no account of its own)."""
    return programs.filter(active=True).exclude(kind=ProgramKind.CLASS).select_related("school")
