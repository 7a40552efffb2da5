"""The one place that decides whether a student's picture may be posted.

`annotate_standing` adds each student's current answer for a scope on a date, and
`may_post` (an SQL condition over it) says whether posting is allowed, so a list of 3,000
students is one query. `posting_answer` asks the same two for one student and explains the
result in words. Pages, lists, exports, dashboards and later features all go through here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict, overload

from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.models import PersonalSitePhotos, SocialMediaPhotoLists, Student, school_year_for
from consent.models import ConsentRecord, ConsentScope, Decision, ScopeKind


class Standing:
    """A student's answer for one scope on one day (the annotation's values)."""

    GRANTED = Decision.GRANTED.value
    REFUSED = Decision.REFUSED.value
    WITHDRAWN = Decision.WITHDRAWN.value
    NO_ANSWER = "no_answer"


class Where(StrEnum):
    """Where the picture would be posted: the policy may answer differently (458: never on a personal site)."""

    OFFICIAL = "official"
    PERSONAL = "personal"


def forbidden_there(scope: ConsentScope, where: Where) -> bool:
    """Whether the policy forbids pictures of students at `where`, whatever the family answered."""
    return where == Where.PERSONAL and scope.district.personal_site_student_photos == PersonalSitePhotos.NEVER


def governing_scopes(scope: ConsentScope) -> list[ConsentScope]:
    """The scopes whose answers decide posting for `scope`. For social media the policy profile
    says which lists govern (458: the directory-information opt-out list); every other scope
    governs itself. Looked up once per scope object (a list page asks for every row)."""
    cached: list[ConsentScope] | None = getattr(scope, "_governing_scopes", None)
    if cached is not None:
        return cached
    governing = [scope]
    lists = scope.district.social_media_photo_lists if scope.kind == ScopeKind.SOCIAL_MEDIA else ""
    if lists and lists != SocialMediaPhotoLists.SOCIAL_MEDIA:
        directory = (
            ConsentScope.objects.filter(
                district_id=scope.district_id, kind=ScopeKind.DIRECTORY_INFORMATION, active=True
            )
            .select_related("district")
            .first()
        )
        if directory is not None:
            # Without the list set up, the scope's own answers still decide: never fewer rules.
            governing = [directory] if lists == SocialMediaPhotoLists.DIRECTORY_INFORMATION else [scope, directory]
    scope._governing_scopes = governing  # type: ignore[attr-defined]
    return governing


def _prefix_of(scope: ConsentScope, governing: ConsentScope, prefix: str) -> str:
    return prefix if governing.pk == scope.pk else f"{prefix}_g{governing.pk}"


def school_year_of(scope: ConsentScope, on: datetime.date) -> int:
    return school_year_for(on, scope.district.school_year_start_month).start_year


def counting_records(scope: ConsentScope, on: datetime.date) -> QuerySet[ConsentRecord]:
    """The records that can be the current answer on `on`: received by then, and from this
    school year when the scope is renewed each year."""
    records = ConsentRecord.objects.filter(scope=scope, received_on__lte=on)
    if scope.renewed_each_school_year:
        records = records.filter(school_year=school_year_of(scope, on))
    return records


class ConsentStanding(TypedDict):
    """What `annotate_standing` adds under the default prefix."""

    consent_decision: str | None
    consent_received_on: datetime.date | None
    consent_expired: bool


class ConsentMayPost(ConsentStanding):
    """What `annotate_may_post` adds under the default prefix."""

    consent_may_post: bool
    consent_decided_by: int


# Annotated[...] takes one argument at run time on Python 3.11: the aliases are for the checker only.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    StudentWithStanding: TypeAlias = WithAnnotations[Student, ConsentStanding]
    StudentWithMayPost: TypeAlias = WithAnnotations[Student, ConsentMayPost]

# Under the default prefix the type checker knows the columns' names; under another (one set of
# columns per scope on one list) they are only known at run time.


@overload
def annotate_standing(
    students: QuerySet[Student],
    scope: ConsentScope,
    on: datetime.date | None = None,
    *,
    prefix: Literal["consent"] = "consent",
) -> QuerySet[StudentWithStanding]: ...
@overload
def annotate_standing(
    students: QuerySet[Student], scope: ConsentScope, on: datetime.date | None = None, *, prefix: str
) -> QuerySet[Student]: ...
def annotate_standing(
    students: QuerySet[Student], scope: ConsentScope, on: datetime.date | None = None, *, prefix: str = "consent"
) -> QuerySet[Student]:
    """Adds `<prefix>_decision` (None when nothing counts), `<prefix>_received_on` and
    `<prefix>_expired` (an answer exists, but only from an earlier school year)."""
    on = on or timezone.localdate()
    latest = counting_records(scope, on).filter(student=OuterRef("pk")).order_by("-received_on", "-pk")
    annotations: dict[str, Any] = {
        f"{prefix}_decision": Subquery(latest.values("decision")[:1]),
        f"{prefix}_received_on": Subquery(latest.values("received_on")[:1]),
    }
    if scope.renewed_each_school_year:
        earlier = ConsentRecord.objects.filter(
            scope=scope, student=OuterRef("pk"), received_on__lte=on, school_year__lt=school_year_of(scope, on)
        )
        annotations[f"{prefix}_expired"] = Exists(earlier)
    else:
        annotations[f"{prefix}_expired"] = Value(False, output_field=BooleanField())
    return students.annotate(**annotations)


def may_post(
    scope: ConsentScope, *, public_arena: bool = False, prefix: str = "consent", where: Where = Where.OFFICIAL
) -> Q:
    """The condition, over `annotate_standing`'s columns, under which posting is allowed."""
    if forbidden_there(scope, where):
        return Q(pk__isnull=True)  # always false: no answer and no exception opens a personal site
    if public_arena and scope.public_arena_exception:
        return Q(pk__isnull=False)  # always true: the exception covers everyone
    granted = Q(**{f"{prefix}_decision": Standing.GRANTED})
    if scope.is_written_consent:
        return granted
    return granted | Q(**{f"{prefix}_decision__isnull": True})


@overload
def annotate_may_post(
    students: QuerySet[Student],
    scope: ConsentScope,
    on: datetime.date | None = None,
    *,
    public_arena: bool = False,
    prefix: Literal["consent"] = "consent",
    where: Where = Where.OFFICIAL,
) -> QuerySet[StudentWithMayPost]: ...
@overload
def annotate_may_post(
    students: QuerySet[Student],
    scope: ConsentScope,
    on: datetime.date | None = None,
    *,
    public_arena: bool = False,
    prefix: str,
    where: Where = Where.OFFICIAL,
) -> QuerySet[Student]: ...
def annotate_may_post(
    students: QuerySet[Student],
    scope: ConsentScope,
    on: datetime.date | None = None,
    *,
    public_arena: bool = False,
    prefix: str = "consent",
    where: Where = Where.OFFICIAL,
) -> QuerySet[Student]:
    """`annotate_standing` plus `<prefix>_may_post` (a boolean): allowed only when every scope
    that governs `scope` allows it, and `<prefix>_decided_by` (the governing scope that forbids,
    else the first), whose answer the reason gives."""
    students = annotate_standing(students, scope, on, prefix=prefix)
    governing = governing_scopes(scope)
    each: dict[str, Any] = {}
    for other in governing:
        other_prefix = _prefix_of(scope, other, prefix)
        if other.pk != scope.pk:
            students = annotate_standing(students, other, on, prefix=other_prefix)
        each[f"{other_prefix}_allows"] = Case(
            When(may_post(other, public_arena=public_arena, prefix=other_prefix, where=where), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    students = students.annotate(**each)
    everyone_allows = Q(**dict.fromkeys(each, True))
    decided_by = Case(
        *[When(Q(**{name: False}), then=Value(other.pk)) for name, other in zip(each, governing, strict=True)],
        default=Value(governing[0].pk),
        output_field=IntegerField(),
    )
    allowed = Case(When(everyone_allows, then=Value(True)), default=Value(False), output_field=BooleanField())
    return students.annotate(**{f"{prefix}_may_post": allowed, f"{prefix}_decided_by": decided_by})


def do_not_post(
    students: QuerySet[Student],
    scope: ConsentScope,
    on: datetime.date | None = None,
    *,
    public_arena: bool = False,
) -> QuerySet[StudentWithMayPost]:
    """The students whose picture must not be posted for `scope` (annotated with why)."""
    return annotate_may_post(students, scope, on, public_arena=public_arena).filter(consent_may_post=False)


def without_answer(
    students: QuerySet[Student], scope: ConsentScope, on: datetime.date | None = None
) -> QuerySet[StudentWithStanding]:
    """Students with no answer that counts (the forms clerks still have to collect)."""
    return annotate_standing(students, scope, on).filter(consent_decision=None)  # IS NULL


@dataclass(frozen=True)
class PostingAnswer:
    allowed: bool
    standing: str
    reason: str
    received_on: datetime.date | None = None
    caution: str = ""


def explain(
    scope: ConsentScope,
    *,
    allowed: bool,
    decision: str | None,
    received_on: datetime.date | None,
    expired: bool,
    public_arena: bool,
    on: datetime.date,
    where: Where = Where.OFFICIAL,
) -> PostingAnswer:
    """Puts an annotated row into words. The yes or no comes from `may_post`, never from here."""
    standing = decision or Standing.NO_ANSWER
    if forbidden_there(scope, where):
        reason = "The policy does not allow pictures of students on personal sites, whatever the family answered."
        return PostingAnswer(allowed, standing, reason, received_on)
    when = f" on {received_on:%B} {received_on.day}, {received_on.year}" if received_on else ""
    year = school_year_for(on, scope.district.school_year_start_month).label
    if public_arena and scope.public_arena_exception:
        caution = ""
        if standing in (Standing.REFUSED, Standing.WITHDRAWN) or (
            standing == Standing.NO_ANSWER and scope.is_written_consent
        ):
            caution = "The family has not given consent: leave the student out of close-ups and name tags."
        return PostingAnswer(
            allowed, standing, "Public event: the policy's public-arena exception applies.", received_on, caution
        )
    if standing == Standing.GRANTED:
        reason = f"The family gave consent{when}."
    elif standing == Standing.REFUSED:
        reason = f"The family refused{when}." if scope.is_written_consent else f"The family opted out{when}."
    elif standing == Standing.WITHDRAWN:
        reason = f"The family withdrew consent{when}."
    elif scope.is_written_consent:
        reason = "No written consent on file"
        reason += f" for {year} (last year's answer no longer counts)." if expired else "."
    else:
        reason = "The family has not opted out"
        reason += f" for {year} (last year's answer no longer counts)." if expired else "."
    return PostingAnswer(allowed, standing, reason, received_on)


def posting_answer(
    student: Student,
    scope: ConsentScope,
    on: datetime.date | None = None,
    *,
    public_arena: bool = False,
    where: Where = Where.OFFICIAL,
) -> PostingAnswer:
    """May this student's picture be posted for `scope` on `on`, at `where`? With the reason."""
    on = on or timezone.localdate()
    students = Student.objects.filter(pk=student.pk)
    row = annotate_may_post(students, scope, on, public_arena=public_arena, where=where).get()
    return answer_of(row, scope, on, public_arena=public_arena, where=where)


def answer_of(
    student: Student,
    scope: ConsentScope,
    on: datetime.date,
    *,
    public_arena: bool = False,
    prefix: str = "consent",
    where: Where = Where.OFFICIAL,
) -> PostingAnswer:
    """Words for a student already annotated by `annotate_may_post` (no further queries): the
    answer of the governing scope that decided, named when it is another list."""
    decided_by = getattr(student, f"{prefix}_decided_by")
    deciding = next((other for other in governing_scopes(scope) if other.pk == decided_by), scope)
    columns = _prefix_of(scope, deciding, prefix)
    answer = explain(
        deciding,
        allowed=getattr(student, f"{prefix}_may_post"),
        decision=getattr(student, f"{columns}_decision"),
        received_on=getattr(student, f"{columns}_received_on"),
        expired=getattr(student, f"{columns}_expired"),
        public_arena=public_arena,
        on=on,
        where=where,
    )
    if deciding.pk == scope.pk or forbidden_there(scope, where):
        return answer
    return replace(answer, reason=f"{deciding.name}: {answer.reason}")
