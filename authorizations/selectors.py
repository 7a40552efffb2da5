"""Read-side questions about authorizations: who has their family's consent to take part, and is
an authorization ready? Shared by its pages, the dashboards and the reminders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Program, Student
from authorizations.models import Authorization, AuthorizationStatus
from consent import rules
from consent.models import ConsentRecord
from consent.rules import PostingAnswer, Standing
from tools.models import KINDERGARTEN_AGE, Tool
from tools.selectors import limits_of, outside_limits_of, with_tool_limits


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(DISTINCT pk) of a correlated queryset, as an integer column."""
    counted = queryset.order_by().annotate(
        n=Func(F("pk"), function="COUNT", template="COUNT(DISTINCT %(expressions)s)")
    )
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), 0)


def enrolled_students(program_id: int | OuterRef) -> QuerySet[Student]:
    """A program's current student members (the people an authorization's consent must cover)."""
    # django-stubs 5.2 takes no OuterRef as a lookup's value (with_readiness passes one).
    return Student.objects.filter(  # type: ignore[misc]
        active=True, programs__program_id=program_id, programs__ended_on__isnull=True, programs__student__isnull=False
    )


class ReadinessColumns(TypedDict):
    """What `with_readiness` adds to each authorization."""

    consent_form_id: int | None
    enrolled: int
    covered: int
    needs_consent: bool
    is_ready: bool


# Annotated[...] takes one argument at run time on Python 3.11: the alias is for the checker only.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    AuthorizationWithReadiness: TypeAlias = WithAnnotations[Authorization, ReadinessColumns]


def with_readiness(
    authorizations: QuerySet[Authorization], on: datetime.date | None = None
) -> QuerySet[AuthorizationWithReadiness]:
    """Adds `enrolled`, `covered`, `needs_consent` and `is_ready` to each authorization, in SQL.

    Ready: authorized, not yet ended, no enrolled student outside the tool's grades or minimum age
    (unless the authorization records the policy's exception), and, when the tool needs parental
    consent, at least one student enrolled and every enrolled student's family's current answer is yes (participation
    scopes are written consent and never renewed by year: a database constraint holds them to it,
    so this agrees with consent.rules.may_post)."""
    on = on or timezone.localdate()
    # The form's id first, so each student's latest answer is one probe of consent_record_latest.
    authorizations = authorizations.annotate(consent_form_id=F("participation_scope_id"))
    latest = ConsentRecord.objects.filter(
        scope_id=OuterRef(OuterRef("consent_form_id")), student=OuterRef("pk"), received_on__lte=on
    ).order_by("-received_on", "-pk")
    enrolled = enrolled_students(OuterRef("program_id"))
    # Each enrolled student against the tool's grades and minimum age; an exception the policy
    # allows (limits_exception) admits those outside them.
    limited = with_tool_limits(
        enrolled,
        lowest=OuterRef("tool__lowest_grade"),
        highest=OuterRef("tool__highest_grade"),
        youngest_grade=ExpressionWrapper(OuterRef("tool__minimum_age") - KINDERGARTEN_AGE, output_field=IntegerField()),
    )
    outside = limited.filter(outside_limits=True)  # type: ignore[misc]  # annotated by with_tool_limits
    excepted = ~Q(limits_exception="")
    answered = limited.annotate(
        answer=Coalesce(Subquery(latest.values("decision")[:1]), Value("")),
        exception=ExpressionWrapper(OuterRef("limits_exception"), output_field=CharField()),
    )
    admitted = Q(answer=Standing.GRANTED) & (Q(outside_limits=False) | ~Q(exception=""))
    granted = answered.filter(admitted)
    missing = answered.exclude(admitted)
    has_form = Q(consent_form_id__isnull=False)
    # Once decided, the scope says whether consent is needed; before that, the tool does.
    needs = Case(
        When(has_form, then=Value(True)),
        When(
            Q(status=AuthorizationStatus.REQUESTED)
            & (Q(tool__is_public_social_media=True) | Q(tool__parental_consent_required=True)),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    authorizations = authorizations.annotate(enrolled=_count(enrolled), covered=_count(granted), needs_consent=needs)
    # Readiness asks EXISTS, not the counts, so a filter on it stops at the first missing student
    # and the counts are computed only for the rows a page shows.
    ready = (
        Q(status=AuthorizationStatus.AUTHORIZED, ends_on__gte=on)
        & (~has_form | (Exists(enrolled) & ~Exists(missing)))
        & (excepted | ~Exists(outside))
    )
    return authorizations.annotate(
        is_ready=Case(When(ready, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def authorizations_in_force(
    authorizations: QuerySet[Authorization], on: datetime.date | None = None
) -> QuerySet[Authorization]:
    """Authorized and not yet ended on `on` (including those whose first day is still ahead)."""
    on = on or timezone.localdate()
    return authorizations.filter(status=AuthorizationStatus.AUTHORIZED, ends_on__gte=on)


def authorizations_not_ready(
    authorizations: QuerySet[Authorization], on: datetime.date | None = None
) -> QuerySet[AuthorizationWithReadiness]:
    """In force but still missing a family's consent (for dashboards and reminders)."""
    return with_readiness(authorizations_in_force(authorizations, on), on).filter(is_ready=False)


def not_ready_ids(district_id: int, on: datetime.date) -> frozenset[int]:
    """The district's authorizations in force but still missing a family's consent: what the list
    sorts first. Answering it reads every enrolled student's latest answer (a fifth of a second at
    the largest district), so the list keeps it a short while (core.counted)."""
    in_force = Authorization.objects.filter(district_id=district_id)
    return frozenset(authorizations_not_ready(in_force, on).values_list("pk", flat=True))


def authorizations_waiting(authorizations: QuerySet[Authorization]) -> QuerySet[Authorization]:
    """Waiting for the Superintendent or designee, oldest first."""
    return authorizations.filter(status=AuthorizationStatus.REQUESTED).order_by("requested_at", "pk")


def students_outside_limits(program: Program, tool: Tool) -> QuerySet[Student]:
    """The program's enrolled students the tool's grade band or minimum age leaves out."""
    return outside_limits_of(enrolled_students(program.pk), tool).distinct()


@dataclass(frozen=True)
class Participant:
    student: Student
    answer: PostingAnswer | None  # None until a consent form is open (or when the tool needs none)
    needs_consent: bool = True
    outside_limits: bool = False  # outside the tool's grades or minimum age
    excepted: bool = False  # ... and the authorization records the policy's exception for it

    @property
    def covered(self) -> bool:
        if self.outside_limits and not self.excepted:
            return False
        if self.answer is None:
            return not self.needs_consent
        return self.answer.allowed


def participants(authorization: Authorization, on: datetime.date | None = None) -> list[Participant]:
    """Student by student: who has their family's consent and who is missing (one query).
    Students without consent first, because they are the ones to chase."""
    on = on or timezone.localdate()
    students = limits_of(
        enrolled_students(authorization.program_id).select_related("school").distinct(), authorization.tool
    )
    excepted = bool(authorization.limits_exception)
    scope = authorization.participation_scope
    if scope is None:
        # No form yet: either the tool needs no consent, or the request is still waiting for a decision.
        needs = authorization.status == AuthorizationStatus.REQUESTED and authorization.tool.needs_participation_consent
        ordered = students.order_by("-outside_limits", "last_name", "first_name", "pk")
        return [
            Participant(student, None, needs, student.outside_limits, excepted)  # type: ignore[attr-defined]
            for student in ordered
        ]
    annotated = rules.annotate_may_post(students, scope, on).order_by(
        "-outside_limits", "consent_may_post", "last_name", "first_name", "pk"
    )
    return [
        Participant(student, rules.answer_of(student, scope, on), True, student.outside_limits, excepted)  # type: ignore[attr-defined]
        for student in annotated
    ]
