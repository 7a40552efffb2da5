"""Demo consent answers for every demo district, in every state a clerk will meet.
Loading twice changes nothing: a district that already has answers is left alone."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import PROFILES
from accounts.models import District, Guardian, PhotoModel, Relationship, Student, StudentGuardian, User
from consent.models import ConsentRecord, ConsentScope, Decision, ReceivedBy, ScopeKind
from consent.services import consent_scopes_set_up


def _answers(district: District, index: int) -> dict[str, tuple[str, int] | None]:
    """A deterministic answer per scope for the index-th student: (decision, days before today)."""
    if district.photo_model == PhotoModel.WRITTEN_CONSENT:
        social = (
            None
            if index % 9 == 0
            else ("refused", 70)
            if index % 13 == 1
            else ("withdrawn", 12)
            if index % 17 == 2
            else ("granted", 75)
        )
    else:
        social = ("refused", 60) if index % 11 == 3 else None
    return {
        ScopeKind.SOCIAL_MEDIA: social,
        ScopeKind.WEBSITE: social,
        ScopeKind.YEARBOOK: ("refused", 80) if index % 29 == 5 else None,
        ScopeKind.NEWS_MEDIA: ("refused", 65) if index % 7 == 4 else social,
        ScopeKind.DIRECTORY_INFORMATION: ("refused", 85) if index % 10 == 6 else None,
    }


# One student in this many has a family whose home language is Spanish (about one in seven in the US),
# and one in this many a family without an e-mail address (they get a printed letter).
SPANISH_EVERY, NO_EMAIL_EVERY = 7, 11


def _families(district: District) -> None:
    """A parent for each demo student, as a roster would bring them, so the links can be tried."""
    if Guardian.objects.filter(district=district).exists():
        return
    students = list(Student.objects.filter(district=district).order_by("pk"))
    guardians = Guardian.objects.bulk_create(
        Guardian(
            district=district,
            roster_sourced_id=f"demo-guardian-{student.pk}",
            first_name="Alex" if index % 2 else "Maria",
            last_name=student.last_name,
            email="" if index % NO_EMAIL_EVERY == 3 else f"family.{student.pk}@home.example.org",
            preferred_language="es" if index % SPANISH_EVERY == 1 else "en",
        )
        for index, student in enumerate(students)
    )
    StudentGuardian.objects.bulk_create(
        StudentGuardian(student=student, guardian=guardian, relationship=Relationship.PARENT)
        for student, guardian in zip(students, guardians, strict=True)
    )


@transaction.atomic
def load_demo() -> None:
    today = timezone.localdate()
    for district in District.objects.filter(slug__in=[profile["slug"] for profile in PROFILES]).order_by("pk"):
        consent_scopes_set_up(acting_user=None, district=district)
        _families(district)
        scopes = {scope.kind: scope for scope in ConsentScope.objects.filter(district=district)}
        if ConsentRecord.objects.filter(scope__district=district).exclude(scope__kind=ScopeKind.PARTICIPATION).exists():
            continue
        clerk = User.objects.filter(district=district, email__startswith="clerk.").order_by("pk").first()
        records = []
        for index, student in enumerate(Student.objects.filter(district=district).order_by("pk")):
            for kind, answer in _answers(district, index).items():
                if answer is None or kind not in scopes:
                    continue
                decision, days_ago = answer
                received_on = today - datetime.timedelta(days=days_ago)
                if decision == Decision.WITHDRAWN:  # the consent it withdraws came first
                    records.append(
                        _record(student, scopes[kind], "granted", received_on - datetime.timedelta(60), clerk)
                    )
                records.append(_record(student, scopes[kind], decision, received_on, clerk))
        ConsentRecord.objects.bulk_create(records)


def _record(
    student: Student, scope: ConsentScope, decision: str, received_on: datetime.date, clerk: User | None
) -> ConsentRecord:
    return ConsentRecord(
        student=student,
        scope=scope,
        decision=decision,
        received_on=received_on,
        received_by=ReceivedBy.PAPER,
        guardian_name=f"Parent of {student.first_name} {student.last_name}",
        school_year=scope.district.school_year_for(received_on).start_year,
        recorded_by=clerk,
    )
