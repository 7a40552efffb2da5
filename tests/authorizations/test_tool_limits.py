"""An authorization respects the tool's grade band and minimum age for every enrolled student:
refused, or, where the district's policy allows it, authorized only as an explicit exception with
its reason; a student outside the limits who joins later is flagged and keeps the class from being
ready."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ProgramMembership
from authorizations import selectors
from authorizations import services as authorization_services
from authorizations.models import AuthorizationStatus
from compliance import obligations
from tests.authorizations.test_authorizations import answer, ask, enrol, is_ready, reload
from tests.factories import ProgramFactory, StudentFactory, ToolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instagram(world):
    """Approved for grades 9–12; its terms require users to be 13."""
    return ToolFactory(
        district=world.district,
        name="Instagram",
        category="social_media",
        is_public_social_media=True,
        lowest_grade=9,
        highest_grade=12,
        minimum_age=13,
    )


@pytest.fixture
def club(world):
    return ProgramFactory(school=world.school, name="Media Club")


def grant(world, authorization, **values):
    return authorization_services.authorization_grant(
        acting_user=world.superintendent, authorization=reload(authorization), decided_as="superintendent", **values
    )


def allow_exceptions(world) -> None:
    world.district.tool_limits_exception_allowed = True
    world.district.save()


def test_it_refuses_a_request_for_a_club_with_students_below_the_tools_grades(world, today, instagram, club):
    enrol(club, 1, grade="10")
    enrol(club, 1, grade="06")

    with pytest.raises(ValidationError) as refused:
        ask(world, instagram, club)

    assert "Grades 9–12" in str(refused.value) and "1 student" in str(refused.value)


def test_it_refuses_students_younger_than_the_tools_minimum_age(world, today, club):
    tiktok = ToolFactory(
        district=world.district, name="Video app", lowest_grade=None, highest_grade=None, minimum_age=13
    )
    enrol(club, 1, grade="07")  # can be 12

    with pytest.raises(ValidationError):
        ask(world, tiktok, club)


def test_it_refuses_to_authorize_when_a_student_outside_the_grades_joined_meanwhile(world, today, instagram, club):
    enrol(club, 2, grade="10")
    authorization = ask(world, instagram, club)
    enrol(club, 1, grade="06")

    with pytest.raises(ValidationError):
        grant(world, authorization)

    assert reload(authorization).status == AuthorizationStatus.REQUESTED


def test_it_authorizes_outside_the_limits_only_as_the_districts_exception_with_a_reason(world, today, instagram, club):
    allow_exceptions(world)
    enrol(club, 1, grade="06")
    authorization = ask(world, instagram, club)

    with pytest.raises(ValidationError) as refused:
        grant(world, authorization)
    assert "limits_exception" in refused.value.message_dict

    granted = grant(world, authorization, limits_exception="Sixth graders only view the club's posts.")
    assert granted.status == AuthorizationStatus.AUTHORIZED
    assert reload(authorization).limits_exception == "Sixth graders only view the club's posts."
    [sixth_grader] = [p.student for p in selectors.participants(reload(authorization))]
    answer(world, authorization, sixth_grader)
    assert is_ready(authorization)


def test_it_does_not_assume_a_student_with_no_grade_fits(world, today, instagram, club):
    enrol(club, 1, grade="")

    with pytest.raises(ValidationError):
        ask(world, instagram, club)


def test_it_flags_a_student_outside_the_grades_who_joins_later(world, today, instagram, club):
    [senior] = enrol(club, 1, grade="11")
    authorization = grant(world, ask(world, instagram, club))
    answer(world, authorization, senior)
    assert is_ready(authorization)

    sixth_grader = StudentFactory(school=world.school, grade="06")
    ProgramMembership.objects.create(program=club, student=sixth_grader)
    answer(world, authorization, sixth_grader)

    assert not is_ready(authorization)
    flagged = {p.student: p for p in selectors.participants(reload(authorization))}
    assert flagged[sixth_grader].outside_limits and not flagged[sixth_grader].covered
    assert flagged[senior].covered
    [item] = obligations.own_classes(world.staff, today).items
    assert item.key == "own_class_missing_consent" and "1 student" in item.title


def test_its_page_says_a_student_outside_the_grades_may_not_take_part(client, world, today, instagram, club):
    [senior] = enrol(club, 1, grade="11")
    authorization = grant(world, ask(world, instagram, club))
    answer(world, authorization, senior)
    enrol(club, 1, grade="06")
    client.force_login(world.staff)

    page = client.get(reverse("authorizations:detail", args=[authorization.pk])).content.decode()

    assert "Outside the tool's limits (Grades 9–12, at least 13 years old): may not take part" in page
    assert "Not ready" in page
