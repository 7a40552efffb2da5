"""Demo authorizations in each state a principal will meet: ready, missing two families, waiting,
and one that needs no consent. Loading twice changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import PROFILES, seeded
from accounts.models import District, Program, ProgramKind, ProgramMembership, ProgramRole, School, Student, User
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
    # Instagram and YouTube are approved for high schoolers only (grades 9–12, or 13 and older): the
    # Robotics Club and the team have sixth and seventh graders, so those tools go with a club of
    # high schoolers. (The first school of each demo district teaches grades 6–12.)
    media = _high_school_club(school)
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
    photos = authorize(ask("teacher2.s1", "Instagram", media, "Members post photos of school events they cover."))
    # Every family answered yes: ready.
    videos = authorize(ask("coach.s1", "YouTube", media, "Members publish game-analysis videos of the teams."))
    # No consent needed: ready as soon as it is authorized.
    authorize(ask("teacher2.s1", "Google Classroom", club, "Assignments and build logs."))
    # Waiting for the Superintendent.
    ask("teacher1.s1", "Canva for Education", media, "Design posters for the spring showcase.")
    for authorization, missing in ((photos, 2), (videos, 0)):
        scope = seeded(authorization.participation_scope, "participation consent form")
        members = list(selectors.enrolled_students(authorization.program_id).order_by("pk"))
        for index, student in enumerate(members[missing:]):
            decision = Decision.REFUSED if authorization is photos and index == 0 else Decision.GRANTED
            consent_services.consent_record(
                acting_user=clerk,
                student=student,
                scope=scope,
                decision=decision,
                received_on=today - datetime.timedelta(days=10 + index),
                guardian_name=f"Parent of {student.first_name} {student.last_name}",
            )


HIGH_SCHOOL_GRADES = ("09", "10", "11", "12")


def _high_school_club(school: School) -> Program:
    """The Media Club: the school's students in grades 9–12, advised by the second teacher."""
    media, _ = Program.objects.get_or_create(school=school, name="Media Club", defaults={"kind": ProgramKind.CLUB})
    advisor = User.objects.get(email=f"teacher2.s1@{school.district.slug}.example.org")
    ProgramMembership.objects.get_or_create(
        program=media, user=advisor, ended_on=None, defaults={"role": ProgramRole.ADVISOR}
    )
    for student in Student.objects.filter(school=school, grade__in=HIGH_SCHOOL_GRADES).order_by("pk"):
        ProgramMembership.objects.get_or_create(program=media, student=student, ended_on=None)
    return media
