"""Dashboard fixtures: the persona world with a school in every state a dashboard reports.

`populate(world, school, size)` gives a school `size` of each thing, so the same test can
count queries for a small school and one several times larger.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from accounts.models import ProgramMembership, School
from authorizations import services as authorization_services
from authorizations.models import Authorization
from consent import services as consent_services
from consent.models import ConsentScope, ScopeKind
from tests.conftest import TODAY
from tests.disclosures.conftest import open_cycle
from tests.disclosures.filing import file_none
from tests.factories import (
    AdministratorFactory,
    AuthorizationFactory,
    ConsentRecordFactory,
    ProgramFactory,
    SocialAccountFactory,
    StudentFactory,
    ToolFactory,
    staff_at,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The district dashboard keeps its figures in the cache: each test starts without them."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Populated:
    accounts_below_minimum: int
    accounts_review_overdue: int
    accounts_waiting: int
    staff_filed: list
    staff_not_started: list
    students_granted: list
    students_refused: list
    students_no_answer: list
    authorization: Authorization | None


def set_up_district(world) -> None:
    """North under a written-consent policy with its standard scopes and this year's disclosures
    sent to the school (so the principal sees names)."""
    world.district.photo_model = "written_consent"
    world.district.min_account_administrators = 1
    world.district.preferred_account_administrators = 2
    world.district.save()
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    open_cycle(world, disclosure_recipient="school")


def social_scope(world) -> ConsentScope:
    return ConsentScope.objects.select_related("district").get(district=world.district, kind=ScopeKind.SOCIAL_MEDIA)


def populate(world, school: School, size: int = 1, *, authorization: bool = True) -> Populated:
    """`size` of everything at `school`: accounts short of administrators, overdue and waiting,
    staff who filed and who have not, students granted, refused and unanswered in grades 3 and 4,
    and (once) an authorized tool still missing a family's consent."""
    for _ in range(size):
        SocialAccountFactory(school=school, district=school.district)  # no administrator: below the minimum
        overdue = SocialAccountFactory(school=school, district=school.district, next_review_on=TODAY.replace(month=9))
        AdministratorFactory(account=overdue)
        AdministratorFactory(account=overdue)
        SocialAccountFactory(school=school, district=school.district, status="requested", launched_on=None)
    cycle = world.district.disclosure_cycles.get()
    filed, not_started = [], []
    for n in range(size):
        person = staff_at(school, last_name=f"Filer{n:03d}")
        file_none(person, cycle)
        filed.append(person)
        not_started.append(staff_at(school, last_name=f"Waiting{n:03d}"))
    scope = social_scope(world)
    granted, refused, no_answer = [], [], []
    for n in range(size):
        grade = "03" if n % 2 else "04"
        student = StudentFactory(school=school, grade=grade)
        ConsentRecordFactory(student=student, scope=scope, decision="granted")
        granted.append(student)
        student = StudentFactory(school=school, grade=grade)
        ConsentRecordFactory(student=student, scope=scope, decision="refused")
        refused.append(student)
        no_answer.append(StudentFactory(school=school, grade=grade))
    authorized = None
    if authorization:
        tool = ToolFactory(district=school.district, parental_consent_required=True, lowest_grade=3, highest_grade=8)
        program = ProgramFactory(school=school, name="Robotics Club")
        for student in granted[:2]:
            ProgramMembership.objects.create(program=program, student=student)
        requested = AuthorizationFactory(program=program, tool=tool)
        authorized = authorization_services.authorization_grant(
            acting_user=world.superintendent,
            authorization=Authorization.objects.select_related("district", "tool", "program__school").get(
                pk=requested.pk
            ),
            decided_as="superintendent",
        )
    return Populated(
        accounts_below_minimum=size,
        accounts_review_overdue=size,
        accounts_waiting=size,
        staff_filed=filed,
        staff_not_started=not_started,
        students_granted=granted,
        students_refused=refused,
        students_no_answer=no_answer,
        authorization=authorized,
    )


@pytest.fixture
def north(world, today) -> Populated:
    set_up_district(world)
    return populate(world, world.school)
