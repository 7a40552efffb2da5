"""Authorizations to use a tool with students, through consent.services and consent.selectors: who
may decide under each policy, when an authorization is ready (every enrolled student's family has
consented), and what a request must get right."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Approver, ProgramMembership, Student
from authorizations import selectors as authorization_selectors
from authorizations import services as authorization_services
from authorizations.models import Authorization, AuthorizationStatus
from consent import selectors, services
from consent.models import ConsentRecord, ConsentScope, ScopeKind
from tests.factories import ProgramFactory, StudentFactory, ToolFactory
from tools.models import ApprovalPower
from tools.services import designee_add

STARTS = datetime.date(2026, 11, 23)
ENDS = datetime.date(2027, 6, 10)


# --- Helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def club(world):
    return ProgramFactory(school=world.school, name="Robotics Club")


@pytest.fixture
def public_tool(world):
    """A public network: students take part only with a parent's written consent."""
    return ToolFactory(district=world.district, name="Instagram", category="social_media", is_public_social_media=True)


@pytest.fixture
def quiz_tool(world):
    """A classroom tool needing no parental consent."""
    return ToolFactory(district=world.district, name="Quizlet")


def enrol(program, count: int = 1, **kwargs) -> list[Student]:
    students = StudentFactory.create_batch(count, school=program.school, **kwargs)
    for student in students:
        ProgramMembership.objects.create(program=program, student=student)
    return students


def ask(world, tool, program, *, by=None, starts_on=STARTS, ends_on=ENDS, purpose="Post build updates."):
    return authorization_services.authorization_request(
        acting_user=by or world.staff,
        tool=tool,
        program=program,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def reload(authorization) -> Authorization:
    return Authorization.objects.select_related("district", "tool", "program__school").get(pk=authorization.pk)


def authorize(world, authorization, *, by=None, decided_as="superintendent", reference=""):
    return authorization_services.authorization_grant(
        acting_user=by or world.superintendent,
        authorization=reload(authorization),
        decided_as=decided_as,
        reference=reference,
    )


def answer(world, authorization, student, decision="granted", received_on=datetime.date(2026, 11, 2)):
    return services.consent_record(
        acting_user=world.clerk,
        student=student,
        scope=ConsentScope.objects.select_related("district").get(authorization=authorization),
        decision=decision,
        received_on=received_on,
    )


def readiness(authorization, on=None) -> dict:
    return (
        authorization_selectors.with_readiness(Authorization.objects.filter(pk=authorization.pk), on)
        .values("enrolled", "covered", "needs_consent", "is_ready")
        .get()
    )


def is_ready(authorization, on=None) -> bool:
    return readiness(authorization, on)["is_ready"]


@pytest.fixture
def authorization(world, today, club, public_tool):
    """Instagram with the Robotics Club, asked for by the teacher: waiting for a decision."""
    return ask(world, public_tool, club)


# --- Who decides --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["director", "communications", "principal", "clerk", "staff", "other_principal", "foreign_director"]
)
def test_it_lets_only_the_superintendent_authorize_under_the_default_policy(world, authorization, persona):
    with pytest.raises(PermissionDenied):
        authorize(world, authorization, by=world.persona(persona), decided_as="superintendent")

    assert reload(authorization).status == AuthorizationStatus.REQUESTED
    assert not ConsentScope.objects.filter(authorization=authorization).exists()


def test_it_records_who_authorized_in_what_capacity_and_opens_the_consent_scope(world, authorization):
    authorized = authorize(world, authorization)

    authorization = reload(authorization)
    assert authorization.status == AuthorizationStatus.AUTHORIZED == authorized.status
    assert (authorization.decided_by, authorization.decided_as) == (world.superintendent, "superintendent")
    assert authorization.decided_at is not None
    scope = ConsentScope.objects.get(authorization=authorization)
    assert (scope.kind, scope.model, scope.active, scope.renewed_each_school_year) == (
        ScopeKind.PARTICIPATION,
        "written_consent",
        True,
        False,
    )
    assert scope.district == world.district


def test_it_lets_a_designee_named_by_the_superintendent_authorize(world, authorization):
    designee_add(
        acting_user=world.superintendent,
        district=world.district,
        user=world.director,
        power=ApprovalPower.INSTRUCTIONAL_USE,
    )

    authorize(world, authorization, by=world.director, decided_as="designee")

    assert (reload(authorization).decided_by, reload(authorization).decided_as) == (world.director, "designee")


def test_it_refuses_a_designee_claiming_to_be_the_superintendent(world, authorization):
    designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power="instructional_use"
    )

    with pytest.raises(ValidationError) as refused:
        authorize(world, authorization, by=world.director, decided_as="superintendent")

    assert "decided_as" in refused.value.message_dict
    assert reload(authorization).status == AuthorizationStatus.REQUESTED


def test_it_refuses_a_designee_for_another_power(world, authorization):
    designee_add(acting_user=world.superintendent, district=world.district, user=world.director, power="tools")

    with pytest.raises(PermissionDenied):
        authorize(world, authorization, by=world.director, decided_as="designee")


def test_it_refuses_a_designee_when_the_policy_names_the_superintendent_alone(world, authorization):
    designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power="instructional_use"
    )
    world.district.instructional_use_approver = Approver.SUPERINTENDENT
    world.district.save()

    with pytest.raises(PermissionDenied):
        authorize(world, authorization, by=world.director, decided_as="designee")


def test_it_takes_only_a_school_board_decision_with_its_written_record_under_a_board_policy(world, authorization):
    world.district.instructional_use_approver = Approver.SCHOOL_BOARD
    world.district.save()

    with pytest.raises(ValidationError) as as_superintendent:
        authorize(world, authorization, decided_as="superintendent")
    with pytest.raises(ValidationError) as without_record:
        authorize(world, authorization, decided_as="school_board", reference="  ")
    assert "decided_as" in as_superintendent.value.message_dict
    assert "decision_reference" in without_record.value.message_dict
    assert reload(authorization).status == AuthorizationStatus.REQUESTED

    authorize(world, authorization, decided_as="school_board", reference="Board minutes, Nov. 9, 2026, item 4")

    authorization = reload(authorization)
    assert (authorization.status, authorization.decided_as, authorization.decision_reference) == (
        "authorized",
        "school_board",
        "Board minutes, Nov. 9, 2026, item 4",
    )


def test_it_refuses_the_foreign_superintendent_role_of_another_district(world, authorization):
    with pytest.raises(PermissionDenied):
        authorization_services.authorization_decline(
            acting_user=world.foreign_director,
            authorization=reload(authorization),
            decided_as="superintendent",
            reason="No.",
        )


@pytest.mark.parametrize("persona", ["director", "principal", "clerk", "staff"])
def test_it_lets_only_the_decider_decline(world, authorization, persona):
    with pytest.raises(PermissionDenied):
        authorization_services.authorization_decline(
            acting_user=world.persona(persona),
            authorization=reload(authorization),
            decided_as="superintendent",
            reason="Not now.",
        )

    assert reload(authorization).status == AuthorizationStatus.REQUESTED


def test_it_declines_with_a_reason_and_opens_no_scope(world, authorization):
    with pytest.raises(ValidationError) as without_reason:
        authorization_services.authorization_decline(
            acting_user=world.superintendent,
            authorization=reload(authorization),
            decided_as="superintendent",
            reason="   ",
        )
    assert "decision_reason" in without_reason.value.message_dict

    authorization_services.authorization_decline(
        acting_user=world.superintendent,
        authorization=reload(authorization),
        decided_as="superintendent",
        reason="Use the class blog.",
    )

    authorization = reload(authorization)
    assert (authorization.status, authorization.decision_reason) == (
        AuthorizationStatus.DECLINED,
        "Use the class blog.",
    )
    assert not ConsentScope.objects.filter(authorization=authorization).exists()


def test_it_decides_a_request_only_once(world, authorization):
    authorize(world, authorization)

    with pytest.raises(ValidationError):
        authorize(world, authorization)
    with pytest.raises(ValidationError):
        authorization_services.authorization_decline(
            acting_user=world.superintendent,
            authorization=reload(authorization),
            decided_as="superintendent",
            reason="Changed my mind.",
        )
    assert ConsentScope.objects.filter(authorization=authorization).count() == 1


def test_it_refuses_to_authorize_a_tool_taken_off_the_approved_list(world, authorization, public_tool):
    public_tool.status = "retired"
    public_tool.save()

    with pytest.raises(ValidationError):
        authorize(world, authorization)

    assert reload(authorization).status == AuthorizationStatus.REQUESTED


@pytest.mark.parametrize("persona", ["director", "principal", "clerk", "staff"])
def test_it_lets_only_the_decider_revoke(world, authorization, persona):
    authorize(world, authorization)

    with pytest.raises(PermissionDenied):
        authorization_services.authorization_revoke(
            acting_user=world.persona(persona), authorization=reload(authorization), reason="Stop."
        )

    assert reload(authorization).status == AuthorizationStatus.AUTHORIZED


def test_it_revokes_with_a_reason_and_closes_the_scope(world, authorization, club):
    [student] = enrol(club)
    authorize(world, authorization)
    answer(world, authorization, student)

    with pytest.raises(ValidationError):
        authorization_services.authorization_revoke(
            acting_user=world.superintendent, authorization=reload(authorization), reason=""
        )
    authorization_services.authorization_revoke(
        acting_user=world.superintendent, authorization=reload(authorization), reason="A complaint."
    )

    authorization = reload(authorization)
    assert (authorization.status, authorization.end_reason, authorization.ended_by) == (
        AuthorizationStatus.REVOKED,
        "A complaint.",
        world.superintendent,
    )
    assert (
        authorization.decided_by == world.superintendent and authorization.decision_reason == ""
    )  # the decision stays as taken
    assert not ConsentScope.objects.get(authorization=authorization).active
    assert ConsentRecord.objects.filter(scope__authorization=authorization).count() == 1


# --- Withdrawing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["superintendent", "director", "principal", "clerk", "other_principal"])
def test_it_lets_only_the_staff_member_withdraw(world, authorization, persona):
    with pytest.raises(PermissionDenied):
        authorization_services.authorization_withdraw(
            acting_user=world.persona(persona), authorization=reload(authorization)
        )

    assert reload(authorization).status == AuthorizationStatus.REQUESTED


def test_it_withdraws_an_authorization_closing_its_scope_but_keeping_the_answers(world, authorization, club):
    students = enrol(club, 2)
    authorize(world, authorization)
    for student in students:
        answer(world, authorization, student)

    authorization_services.authorization_withdraw(acting_user=world.staff, authorization=reload(authorization))

    scope = ConsentScope.objects.get(authorization=authorization)
    assert reload(authorization).status == AuthorizationStatus.WITHDRAWN
    assert scope.active is False
    assert ConsentRecord.objects.filter(scope=scope).count() == 2
    assert not is_ready(authorization)
    with pytest.raises(ValidationError):
        answer(world, authorization, students[0], "withdrawn")
    with pytest.raises(ValidationError):
        authorization_services.authorization_withdraw(acting_user=world.staff, authorization=reload(authorization))


def test_it_withdraws_a_request_still_waiting(world, authorization):
    authorization_services.authorization_withdraw(acting_user=world.staff, authorization=reload(authorization))

    assert reload(authorization).status == AuthorizationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        authorize(world, authorization)


def test_it_keeps_the_story_with_who_did_what(world, authorization):
    authorize(world, authorization)
    authorization_services.authorization_revoke(
        acting_user=world.superintendent, authorization=reload(authorization), reason="A complaint."
    )

    story = list(
        reload(authorization).history.order_by("history_date").values_list("history_change_reason", "history_user")
    )

    assert story == [
        ("Requested", world.staff.pk),
        ("Authorized", world.superintendent.pk),
        ("Revoked", world.superintendent.pk),
    ]


# --- Ready: every enrolled student's family has consented -------------------------------------------


def test_it_is_not_ready_until_the_last_enrolled_students_consent_arrives(world, authorization, club):
    first, second, third = enrol(club, 3)
    assert readiness(authorization) == {"enrolled": 3, "covered": 0, "needs_consent": True, "is_ready": False}
    authorize(world, authorization)
    assert readiness(authorization) == {"enrolled": 3, "covered": 0, "needs_consent": True, "is_ready": False}

    answer(world, authorization, first)
    answer(world, authorization, second)
    assert readiness(authorization) == {"enrolled": 3, "covered": 2, "needs_consent": True, "is_ready": False}

    answer(world, authorization, third)
    assert readiness(authorization) == {"enrolled": 3, "covered": 3, "needs_consent": True, "is_ready": True}


def test_it_stops_being_ready_when_a_family_withdraws_consent(world, authorization, club):
    first, second = enrol(club, 2)
    authorize(world, authorization)
    answer(world, authorization, first)
    answer(world, authorization, second)
    assert is_ready(authorization)

    answer(world, authorization, second, "withdrawn", datetime.date(2026, 11, 20))

    assert readiness(authorization)["covered"] == 1
    assert not is_ready(authorization)


def test_it_stops_being_ready_when_a_refusal_is_recorded(world, authorization, club):
    [student] = enrol(club)
    authorize(world, authorization)
    answer(world, authorization, student)
    assert is_ready(authorization)

    answer(world, authorization, student, "refused", datetime.date(2026, 11, 21))

    assert not is_ready(authorization)


def test_it_counts_an_answer_from_the_day_it_was_received(world, authorization, club):
    [student] = enrol(club)
    authorize(world, authorization)
    answer(world, authorization, student, received_on=datetime.date(2026, 11, 20))

    assert not is_ready(authorization, datetime.date(2026, 11, 19))
    assert is_ready(authorization, datetime.date(2026, 11, 20))


def test_it_stops_being_ready_when_a_new_student_joins_the_program(world, authorization, club):
    [student] = enrol(club)
    authorize(world, authorization)
    answer(world, authorization, student)
    assert is_ready(authorization)

    enrol(club)

    assert readiness(authorization) == {"enrolled": 2, "covered": 1, "needs_consent": True, "is_ready": False}


def test_it_is_ready_again_when_the_student_without_consent_leaves_the_program(world, authorization, club):
    stays, leaves = enrol(club, 2)
    authorize(world, authorization)
    answer(world, authorization, stays)
    assert not is_ready(authorization)

    ProgramMembership.objects.filter(program=club, student=leaves).update(ended_on=datetime.date(2026, 11, 20))

    assert readiness(authorization) == {"enrolled": 1, "covered": 1, "needs_consent": True, "is_ready": True}


def test_it_stops_being_ready_when_it_ends(world, authorization, club):
    [student] = enrol(club)
    authorize(world, authorization)
    answer(world, authorization, student)

    assert is_ready(authorization, ENDS)
    assert not is_ready(authorization, ENDS + datetime.timedelta(days=1))


def test_it_stops_being_ready_when_it_is_revoked(world, authorization, club):
    [student] = enrol(club)
    authorize(world, authorization)
    answer(world, authorization, student)
    assert is_ready(authorization)

    authorization_services.authorization_revoke(
        acting_user=world.superintendent, authorization=reload(authorization), reason="A complaint."
    )

    assert not is_ready(authorization)


def test_it_is_never_ready_for_an_empty_program(world, authorization):
    authorize(world, authorization)

    assert readiness(authorization) == {"enrolled": 0, "covered": 0, "needs_consent": True, "is_ready": False}


def test_a_tool_needing_no_consent_is_ready_as_soon_as_authorized_and_opens_no_scope(world, today, club, quiz_tool):
    enrol(club, 2)
    authorization = ask(world, quiz_tool, club)
    assert not is_ready(authorization)

    authorize(world, authorization)

    assert readiness(authorization) == {"enrolled": 2, "covered": 0, "needs_consent": False, "is_ready": True}
    assert not ConsentScope.objects.filter(authorization=authorization).exists()
    assert [p.covered for p in authorization_selectors.participants(reload(authorization))] == [True, True]


def test_it_asks_consent_of_a_tool_marked_as_needing_it_even_if_not_a_public_network(world, today, club):
    tool = ToolFactory(district=world.district, name="Class blog", parental_consent_required=True)
    authorization = ask(world, tool, club)

    authorize(world, authorization)

    assert ConsentScope.objects.filter(authorization=authorization, kind=ScopeKind.PARTICIPATION).exists()


def test_readiness_in_sql_agrees_with_the_student_by_student_list(world, authorization, club):
    granted, refused, withdrawn, regranted, silent, later = enrol(club, 6)
    departed, finished = enrol(club, 2)
    elsewhere = ProgramFactory(school=world.school)
    outsider = enrol(elsewhere)[0]
    authorize(world, authorization)
    answer(world, authorization, granted)
    answer(world, authorization, refused, "refused")
    answer(world, authorization, withdrawn)
    answer(world, authorization, withdrawn, "withdrawn", datetime.date(2026, 11, 10))
    answer(world, authorization, regranted, "refused")
    answer(world, authorization, regranted, "granted", datetime.date(2026, 11, 10))
    answer(world, authorization, later, received_on=datetime.date(2026, 11, 21))
    answer(world, authorization, departed)
    answer(world, authorization, outsider)
    Student.objects.filter(pk=departed.pk).update(active=False, left_on=datetime.date(2026, 11, 15))
    ProgramMembership.objects.filter(student=finished).update(ended_on=datetime.date(2026, 11, 15))
    on = datetime.date(2026, 11, 20)

    listed = authorization_selectors.participants(reload(authorization), on)
    counted = readiness(authorization, on)

    assert {p.student for p in listed} == {granted, refused, withdrawn, regranted, silent, later}
    assert counted["enrolled"] == len(listed) == 6
    assert counted["covered"] == sum(p.covered for p in listed) == 2
    assert [p.covered for p in listed] == [False] * 4 + [True] * 2  # the ones to chase first
    assert {p.student for p in listed if p.covered} == {granted, regranted}


def test_it_lists_authorizations_waiting_oldest_first_and_those_in_force_not_ready(world, today, club, public_tool):
    enrol(club)
    first = ask(world, public_tool, club)
    second = ask(world, public_tool, club)
    third = ask(world, public_tool, club)
    authorize(world, third)

    authorizations = Authorization.objects.all()
    assert list(authorization_selectors.authorizations_waiting(authorizations)) == [first, second]
    assert list(authorization_selectors.authorizations_not_ready(authorizations)) == [third]
    assert list(authorization_selectors.authorizations_in_force(authorizations)) == [third]


def test_participation_scopes_stay_off_the_photo_pages(world, scopes, authorization):
    authorize(world, authorization)

    active = selectors.active_scopes(world.district)

    assert ConsentScope.objects.filter(authorization=authorization, active=True).exists()
    assert all(scope.kind != ScopeKind.PARTICIPATION for scope in active)
    assert {scope.pk for scope in active} == {scope.pk for scope in scopes.values()}


# --- Asking ------------------------------------------------------------------------------------------


def test_it_records_the_request_for_the_staff_member_asking(world, authorization, club, public_tool):
    authorization = reload(authorization)

    assert (
        authorization.staff_member,
        authorization.requested_by,
        authorization.tool,
        authorization.program,
        authorization.district,
    ) == (
        world.staff,
        world.staff,
        public_tool,
        club,
        world.district,
    )
    assert (authorization.status, authorization.starts_on, authorization.ends_on, authorization.purpose) == (
        "requested",
        STARTS,
        ENDS,
        "Post build updates.",
    )


@pytest.mark.parametrize("status", ["under_review", "not_approved", "retired"])
def test_it_refuses_a_request_for_a_tool_not_on_the_approved_list(world, today, club, status):
    tool = ToolFactory(district=world.district, status=status, decided_on=datetime.date(2026, 8, 1))

    with pytest.raises(ValidationError) as refused:
        ask(world, tool, club)

    assert "tool" in refused.value.message_dict
    assert not Authorization.objects.exists()


def test_it_refuses_a_tool_of_another_district(world, today, club):
    foreign_tool = ToolFactory(district=world.other_district)

    with pytest.raises(ValidationError) as refused:
        ask(world, foreign_tool, club)

    assert "tool" in refused.value.message_dict


def test_it_refuses_another_districts_program(world, today, public_tool):
    foreign_club = ProgramFactory(school=world.foreign_school)

    with pytest.raises(ValidationError) as refused:
        ask(world, public_tool, foreign_club, by=world.director)

    assert "program" in refused.value.message_dict


def test_it_refuses_a_teacher_a_program_of_another_school(world, today, public_tool):
    other_club = ProgramFactory(school=world.other_school)

    with pytest.raises(ValidationError) as refused:
        ask(world, public_tool, other_club)

    assert "program" in refused.value.message_dict


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "message"),
    [
        (datetime.date(2027, 3, 1), datetime.date(2027, 2, 1), "cannot come before"),
        (datetime.date(2026, 9, 1), datetime.date(2026, 11, 20), "already ended"),
        (datetime.date(2026, 11, 23), datetime.date(2027, 12, 31), "school year at most"),
    ],
)
def test_it_refuses_dates_reversed_ended_or_too_long(world, today, club, public_tool, starts_on, ends_on, message):
    with pytest.raises(ValidationError) as refused:
        ask(world, public_tool, club, starts_on=starts_on, ends_on=ends_on)

    assert message in refused.value.message_dict["ends_on"][0]
    assert not Authorization.objects.exists()


def test_it_refuses_a_request_without_a_purpose(world, today, club, public_tool):
    with pytest.raises(ValidationError) as refused:
        ask(world, public_tool, club, purpose="   ")

    assert "purpose" in refused.value.message_dict


def test_it_refuses_a_request_from_someone_outside_any_district(world, today, club, public_tool, superuser):
    with pytest.raises(PermissionDenied):
        ask(world, public_tool, club, by=superuser)


# --- Before the decision, and after the dates ----------------------------------------------------------


def test_a_waiting_request_for_a_public_network_already_counts_as_needing_consent(world, authorization, club):
    [student] = enrol(club)
    assert readiness(authorization) == {"enrolled": 1, "covered": 0, "needs_consent": True, "is_ready": False}
    [participant] = authorization_selectors.participants(reload(authorization))
    assert (participant.student, participant.covered) == (student, False)


def test_a_waiting_request_for_a_plain_tool_needs_no_consent(world, today, club, quiz_tool):
    enrol(club)
    waiting = ask(world, quiz_tool, club)
    assert readiness(waiting)["needs_consent"] is False
    assert [p.covered for p in authorization_selectors.participants(reload(waiting))] == [True]


def test_it_refuses_to_authorize_dates_that_have_passed(world, authorization):
    Authorization.objects.filter(pk=authorization.pk).update(
        starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 11, 20)
    )
    with pytest.raises(ValidationError, match="dates asked for have passed"):
        authorize(world, authorization)
    assert reload(authorization).status == AuthorizationStatus.REQUESTED


def test_a_withdrawal_records_who_ended_it_and_when(world, authorization):
    authorization_services.authorization_withdraw(acting_user=world.staff, authorization=reload(authorization))
    authorization = reload(authorization)
    assert (authorization.ended_by, authorization.ended_at is not None, authorization.end_reason) == (
        world.staff,
        True,
        "",
    )


def test_the_consent_import_leaves_participation_answers_to_the_authorization(world, authorization, club):
    """Two authorizations' forms must never be confused by a file, nor answered for students not enrolled."""
    from consent import importer

    authorize(world, authorization)
    lookup = importer._scope_lookup(world.district)
    assert ScopeKind.PARTICIPATION not in lookup
    assert ConsentScope.objects.get(authorization=authorization).name.lower() not in lookup
