"""Demo consent answers for every demo district, in every state a clerk will meet.
Loading twice changes nothing: a district that already has answers is left alone."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import PROFILES
from accounts.models import District, PhotoModel, Program, ProgramKind, Student, User
from consent import selectors, services
from consent.models import ConsentRecord, ConsentScope, Decision, ReceivedBy, ScopeKind
from consent.services import consent_scopes_set_up
from registry import access as registry_access
from registry.models import ApprovalPower, DecidedAs, InstructionalUse, Tool


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
    }


@transaction.atomic
def load_demo() -> None:
    today = timezone.localdate()
    for district in District.objects.filter(slug__in=[profile["slug"] for profile in PROFILES]).order_by("pk"):
        if not InstructionalUse.objects.filter(district=district).exists():
            _load_authorizations(district, today)
        consent_scopes_set_up(acting_user=None, district=district)
        scopes = {scope.kind: scope for scope in ConsentScope.objects.filter(district=district)}
        if ConsentRecord.objects.filter(scope__district=district).exclude(scope__kind=ScopeKind.PARTICIPATION).exists():
            continue
        clerk = User.objects.filter(district=district, email__startswith="clerk.").order_by("pk").first()
        records = []
        for index, student in enumerate(Student.objects.filter(district=district).order_by("pk")):
            for kind, answer in _answers(district, index).items():
                if answer is None:
                    continue
                decision, days_ago = answer
                received_on = today - datetime.timedelta(days=days_ago)
                if decision == Decision.WITHDRAWN:  # the consent it withdraws came first
                    records.append(
                        _record(student, scopes[kind], "granted", received_on - datetime.timedelta(60), clerk)
                    )
                records.append(_record(student, scopes[kind], decision, received_on, clerk))
        ConsentRecord.objects.bulk_create(records)


def _record(student: Student, scope: ConsentScope, decision: str, received_on: datetime.date, clerk: User | None):  # noqa: ANN202
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


def _load_authorizations(district: District, today: datetime.date) -> None:
    """Authorizations in each state a principal will meet: ready, missing two families, waiting."""
    superintendent = User.objects.get(email=f"superintendent@{district.slug}.example.org")
    clerk = User.objects.get(email=f"clerk.s1@{district.slug}.example.org")
    school = district.schools.order_by("code").first()
    club = Program.objects.filter(school=school, kind=ProgramKind.CLUB).first()
    team = Program.objects.filter(school=school, kind=ProgramKind.TEAM).first()
    tools = {tool.name: tool for tool in Tool.objects.filter(district=district)}
    if not {"Instagram", "YouTube", "Google Classroom", "Canva for Education"} <= set(tools):
        return
    capacity = registry_access.decision_capacities(superintendent, district, ApprovalPower.INSTRUCTIONAL_USE)[0]
    reference = "Board minutes, September 14, 2026, item 4" if capacity == DecidedAs.SCHOOL_BOARD else ""
    year_end = district.school_year_for(today).ends_on

    def ask(who: str, tool: str, program: Program, purpose: str) -> InstructionalUse:
        return services.instructional_use_request(
            acting_user=User.objects.get(email=f"{who}@{district.slug}.example.org"),
            tool=tools[tool],
            program=program,
            purpose=purpose,
            starts_on=today - datetime.timedelta(days=30),
            ends_on=year_end,
        )

    def authorize(use: InstructionalUse) -> InstructionalUse:
        return services.instructional_use_authorize(
            acting_user=superintendent, use=use, decided_as=capacity, reference=reference
        )

    # Missing two families: the club cannot start posting yet.
    robotics = authorize(ask("teacher2.s1", "Instagram", club, "Members post build photos and competition results."))
    # Every family answered yes: ready.
    soccer = authorize(ask("coach.s1", "YouTube", team, "Players publish game-analysis videos for the team."))
    # No consent needed: ready as soon as it is authorized.
    authorize(ask("teacher2.s1", "Google Classroom", club, "Assignments and build logs."))
    # Waiting for the Superintendent.
    ask("teacher1.s1", "Canva for Education", club, "Design posters for the spring showcase.")
    for use, missing in ((robotics, 2), (soccer, 0)):
        scope = ConsentScope.objects.get(instructional_use=use)
        members = list(selectors.enrolled_students(use.program_id).order_by("pk"))
        for index, student in enumerate(members[missing:]):
            decision = Decision.REFUSED if use is robotics and index == 0 else Decision.GRANTED
            services.consent_record(
                acting_user=clerk,
                student=student,
                scope=scope,
                decision=decision,
                received_on=today - datetime.timedelta(days=10 + index),
                guardian_name=f"Parent of {student.first_name} {student.last_name}",
            )
