"""Demo authorizations in each state a principal will meet: ready, missing two families, waiting,
and one that needs no consent. Loading twice changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import PROFILES, seeded
from accounts.models import District, Program, ProgramKind, User
from authorizations import selectors, services
from authorizations.models import Authorization
from consent import services as consent_services
from consent.models import Decision
from tools import access as tool_access
from tools.models import ApprovalPower, DecidedAs, Tool


@transaction.atomic
def load_demo() -> None:
    today = timezone.localdate()
    for district in District.objects.filter(slug__in=[profile["slug"] for profile in PROFILES]).order_by("pk"):
        if not Authorization.objects.filter(district=district).exists():
            _load_authorizations(district, today)


def _load_authorizations(district: District, today: datetime.date) -> None:
    """Authorizations in each state a principal will meet: ready, missing two families, waiting."""
    superintendent = User.objects.get(email=f"superintendent@{district.slug}.example.org")
    clerk = User.objects.get(email=f"clerk.s1@{district.slug}.example.org")
    school = seeded(district.schools.order_by("code").first(), "school")
    club = seeded(Program.objects.filter(school=school, kind=ProgramKind.CLUB).first(), "club")
    team = seeded(Program.objects.filter(school=school, kind=ProgramKind.TEAM).first(), "team")
    tools = {tool.name: tool for tool in Tool.objects.filter(district=district)}
    if not {"Instagram", "YouTube", "Google Classroom", "Canva for Education"} <= set(tools):
        return
    capacity = tool_access.decision_capacities(superintendent, district, ApprovalPower.INSTRUCTIONAL_USE)[0]
    reference = "Board minutes, September 14, 2026, item 4" if capacity == DecidedAs.SCHOOL_BOARD else ""
    year_end = district.school_year_for(today).ends_on

    def ask(who: str, tool: str, program: Program, purpose: str) -> Authorization:
        return services.authorization_request(
            acting_user=User.objects.get(email=f"{who}@{district.slug}.example.org"),
            tool=tools[tool],
            program=program,
            purpose=purpose,
            starts_on=today - datetime.timedelta(days=30),
            ends_on=year_end,
        )

    def authorize(authorization: Authorization) -> Authorization:
        return services.authorization_grant(
            acting_user=superintendent, authorization=authorization, decided_as=capacity, reference=reference
        )

    # Missing two families: the club cannot start posting yet.
    robotics = authorize(ask("teacher2.s1", "Instagram", club, "Members post build photos and competition results."))
    # Every family answered yes: ready.
    soccer = authorize(ask("coach.s1", "YouTube", team, "Players publish game-analysis videos for the team."))
    # No consent needed: ready as soon as it is authorized.
    authorize(ask("teacher2.s1", "Google Classroom", club, "Assignments and build logs."))
    # Waiting for the Superintendent.
    ask("teacher1.s1", "Canva for Education", club, "Design posters for the spring showcase.")
    for authorization, missing in ((robotics, 2), (soccer, 0)):
        scope = seeded(authorization.participation_scope, "participation consent form")
        members = list(selectors.enrolled_students(authorization.program_id).order_by("pk"))
        for index, student in enumerate(members[missing:]):
            decision = Decision.REFUSED if authorization is robotics and index == 0 else Decision.GRANTED
            consent_services.consent_record(
                acting_user=clerk,
                student=student,
                scope=scope,
                decision=decision,
                received_on=today - datetime.timedelta(days=10 + index),
                guardian_name=f"Parent of {student.first_name} {student.last_name}",
            )
