"""Read-side questions about consent, shared by pages, exports, dashboards and reminders.
Whether a picture may be posted is always asked of consent.rules."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, cast

from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from accounts.models import District, Program, ProgramMembership, School, Student
from consent import rules
from consent.models import ConsentRecord, ConsentScope, FamilyLink, ScopeKind
from consent.rules import PostingAnswer, Standing


def active_scopes(district: District) -> list[ConsentScope]:
    """The picture scopes pages offer; participation in a tool is answered on its authorization."""
    scopes = ConsentScope.objects.filter(district=district, active=True).exclude(kind=ScopeKind.PARTICIPATION)
    return list(scopes.select_related("district"))


def scopes_differing_from_policy(district: District) -> QuerySet[ConsentScope]:
    """Scopes in use whose rule the district deliberately set apart from its policy profile."""
    return ConsentScope.objects.filter(district=district, active=True, follows_policy=False).exclude(
        kind=ScopeKind.PARTICIPATION
    )


def social_media_scopes(scopes: list[ConsentScope]) -> list[ConsentScope]:
    """The scope that answers for posting on social media (official or personal), if the district has it."""
    return [scope for scope in scopes if scope.kind == ScopeKind.SOCIAL_MEDIA][:1]


def default_scope(scopes: list[ConsentScope], wanted: object = None) -> ConsentScope | None:
    """The scope a page shows: the one asked for, else social media, else the first."""
    for scope in scopes:
        if str(scope.pk) == str(wanted):
            return scope
    for scope in scopes:
        if scope.kind == ScopeKind.SOCIAL_MEDIA:
            return scope
    return scopes[0] if scopes else None


def school_students(school: School) -> QuerySet[Student]:
    return Student.objects.filter(school=school, active=True)


def students_of_schools(school_ids: Iterable[int]) -> QuerySet[Student]:
    return Student.objects.filter(school_id__in=list(school_ids), active=True)


def program_students(program: Program) -> QuerySet[Student]:
    """A program's current student members (clubs, teams and classes from memberships)."""
    return Student.objects.filter(
        active=True, programs__program=program, programs__ended_on__isnull=True, programs__student__isnull=False
    )


def _with_programs(students: QuerySet[Student]) -> QuerySet[Student]:
    current = ProgramMembership.objects.filter(ended_on__isnull=True, student__isnull=False).select_related("program")
    return students.prefetch_related(Prefetch("programs", queryset=current, to_attr="current_programs"))


class ListedStudent(rules.ConsentMayPost):
    """A row of a do-not-post list: the answer's columns and the student's current programs."""

    current_programs: list[ProgramMembership]


# Annotated[...] takes one argument at run time on Python 3.11: the aliases are for the checker only.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    StudentOnList: TypeAlias = WithAnnotations[Student, ListedStudent]


def do_not_post_list(
    students: QuerySet[Student], scope: ConsentScope, on: datetime.date | None = None, *, public_arena: bool = False
) -> QuerySet[StudentOnList]:
    """Who must not appear, by name, with their programs (two queries for any size)."""
    listed = rules.annotate_may_post(students, scope, on, public_arena=public_arena).filter(consent_may_post=False)
    ordered = _with_programs(listed.select_related("school")).order_by("last_name", "first_name", "pk")
    # Prefetch(to_attr="current_programs") adds a list the type checker cannot see.
    return cast("QuerySet[StudentOnList]", ordered)


def no_answer_list(
    students: QuerySet[Student], scope: ConsentScope, on: datetime.date | None = None
) -> QuerySet[rules.StudentWithStanding]:
    """Students with no answer that counts this year: the forms clerks still chase."""
    return rules.without_answer(students, scope, on).select_related("school").order_by("last_name", "first_name", "pk")


def print_sections(
    school: School, scope: ConsentScope, on: datetime.date | None = None, *, public_arena: bool = False
) -> list[tuple[str, Sequence[Student]]]:
    """The school's do-not-post list, then one section per program (one printed page each).
    Two queries whatever the size of the school."""
    listed = list(do_not_post_list(school_students(school), scope, on, public_arena=public_arena))
    sections: dict[int, tuple[Program, list[Student]]] = {}
    for student in listed:
        for membership in student.current_programs:
            sections.setdefault(membership.program_id, (membership.program, []))[1].append(student)
    ordered = sorted(sections.values(), key=lambda item: (item[0].name.lower(), item[0].pk))
    whole: list[tuple[str, Sequence[Student]]] = [(f"{school.name}: whole school", listed)]
    return whole + [(str(program), members) for program, members in ordered]


def answers_for_student(
    student: Student, scopes: list[ConsentScope], on: datetime.date | None = None, *, public_arena: bool = False
) -> list[tuple[ConsentScope, PostingAnswer]]:
    """One student's answer for every scope, in one query."""
    [(_, answers)] = answers_for_students(Student.objects.filter(pk=student.pk), scopes, on, public_arena=public_arena)
    return answers


def answers_for_students(
    students: QuerySet[Student],
    scopes: list[ConsentScope],
    on: datetime.date | None = None,
    *,
    public_arena: bool = False,
    where: rules.Where = rules.Where.OFFICIAL,
) -> list[tuple[Student, list[tuple[ConsentScope, PostingAnswer]]]]:
    """Several students' answers for every scope, in one query (the quick check)."""
    on = on or timezone.localdate()
    for scope in scopes:
        students = rules.annotate_may_post(
            students, scope, on, public_arena=public_arena, prefix=f"scope{scope.pk}", where=where
        )
    return [
        (
            student,
            [
                (
                    scope,
                    rules.answer_of(
                        student, scope, on, public_arena=public_arena, prefix=f"scope{scope.pk}", where=where
                    ),
                )
                for scope in scopes
            ],
        )
        for student in students
    ]


def record_history(student: Student) -> QuerySet[ConsentRecord]:
    """Every answer received for the student, each with who recorded it, when, and from which import."""
    return student.consent_records.select_related("scope", "recorded_by", "source_import").order_by(
        "-received_on", "-pk"
    )


@dataclass(frozen=True)
class Coverage:
    scope: ConsentScope
    granted: int
    refused: int
    withdrawn: int
    no_answer: int
    may_not_post: int

    @property
    def total(self) -> int:
        return self.granted + self.refused + self.withdrawn + self.no_answer


def coverage(students: QuerySet[Student], scope: ConsentScope, on: datetime.date | None = None) -> Coverage:
    """How many students stand where for a scope (counted in the database, one query)."""
    annotated = rules.annotate_may_post(students, scope, on)
    counts = annotated.aggregate(
        granted=Count("pk", filter=Q(consent_decision=Standing.GRANTED)),
        refused=Count("pk", filter=Q(consent_decision=Standing.REFUSED)),
        withdrawn=Count("pk", filter=Q(consent_decision=Standing.WITHDRAWN)),
        no_answer=Count("pk", filter=Q(consent_decision__isnull=True)),
        may_not_post=Count("pk", filter=Q(consent_may_post=False)),
    )
    return Coverage(scope=scope, **counts)


def family_links_of(student: Student) -> list[FamilyLink]:
    """The student's families' consent links, newest first, for the school office (one query)."""
    return list(
        FamilyLink.objects.filter(student=student).select_related("guardian").order_by("-school_year", "-created_at")
    )


def family_link_scopes(link: FamilyLink) -> list[ConsentScope]:
    """What a family's link asks: taking part in one tool, or every picture scope of the district."""
    if link.participation_scope is not None:
        return [link.participation_scope] if link.participation_scope.active else []
    return active_scopes(link.district)
