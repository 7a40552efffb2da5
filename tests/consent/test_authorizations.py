"""Authorizations to use a tool with students, through consent.services and consent.selectors: who
may decide under each policy, when an authorization is ready (every enrolled student's family has
consented), and what a request must get right."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Approver, ProgramMembership, Student
from consent import selectors, services
from consent.models import ConsentRecord, ConsentScope, ScopeKind
from registry.models import ApprovalPower, AuthorizationStatus, InstructionalUse
from registry.services import designee_add
from tests.factories import ProgramFactory, StudentFactory, ToolFactory

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
    return services.instructional_use_request(
        acting_user=by or world.staff,
        tool=tool,
        program=program,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def reload(use) -> InstructionalUse:
    return InstructionalUse.objects.select_related("district", "tool", "program__school").get(pk=use.pk)


def authorize(world, use, *, by=None, decided_as="superintendent", reference=""):
    return services.instructional_use_authorize(
        acting_user=by or world.superintendent, use=reload(use), decided_as=decided_as, reference=reference
    )


def answer(world, use, student, decision="granted", received_on=datetime.date(2026, 11, 2)):
    return services.consent_record(
        acting_user=world.clerk,
        student=student,
        scope=ConsentScope.objects.select_related("district").get(instructional_use=use),
        decision=decision,
        received_on=received_on,
    )


def readiness(use, on=None) -> dict:
    return (
        selectors.with_readiness(InstructionalUse.objects.filter(pk=use.pk), on)
        .values("enrolled", "covered", "needs_consent", "is_ready")
        .get()
    )


def is_ready(use, on=None) -> bool:
    return readiness(use, on)["is_ready"]


@pytest.fixture
def use(world, today, club, public_tool):
    """Instagram with the Robotics Club, asked for by the teacher: waiting for a decision."""
    return ask(world, public_tool, club)


# --- Who decides --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["director", "communications", "principal", "clerk", "staff", "other_principal", "foreign_director"]
)
def test_it_lets_only_the_superintendent_authorize_under_the_default_policy(world, use, persona):
    with pytest.raises(PermissionDenied):
        authorize(world, use, by=world.persona(persona), decided_as="superintendent")

    assert reload(use).status == AuthorizationStatus.REQUESTED
    assert not ConsentScope.objects.filter(instructional_use=use).exists()


def test_it_records_who_authorized_in_what_capacity_and_opens_the_consent_scope(world, use):
    authorized = authorize(world, use)

    use = reload(use)
    assert use.status == AuthorizationStatus.AUTHORIZED == authorized.status
    assert (use.decided_by, use.decided_as) == (world.superintendent, "superintendent")
    assert use.decided_at is not None
    scope = ConsentScope.objects.get(instructional_use=use)
    assert (scope.kind, scope.model, scope.active, scope.renewed_each_school_year) == (
        ScopeKind.PARTICIPATION,
        "written_consent",
        True,
        False,
    )
    assert scope.district == world.district


def test_it_lets_a_designee_named_by_the_superintendent_authorize(world, use):
    designee_add(
        acting_user=world.superintendent,
        district=world.district,
        user=world.director,
        power=ApprovalPower.INSTRUCTIONAL_USE,
    )

    authorize(world, use, by=world.director, decided_as="designee")

    assert (reload(use).decided_by, reload(use).decided_as) == (world.director, "designee")


def test_it_refuses_a_designee_claiming_to_be_the_superintendent(world, use):
    designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power="instructional_use"
    )

    with pytest.raises(ValidationError) as refused:
        authorize(world, use, by=world.director, decided_as="superintendent")

    assert "decided_as" in refused.value.message_dict
    assert reload(use).status == AuthorizationStatus.REQUESTED


def test_it_refuses_a_designee_for_another_power(world, use):
    designee_add(acting_user=world.superintendent, district=world.district, user=world.director, power="tools")

    with pytest.raises(PermissionDenied):
        authorize(world, use, by=world.director, decided_as="designee")


def test_it_refuses_a_designee_when_the_policy_names_the_superintendent_alone(world, use):
    designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power="instructional_use"
    )
    world.district.instructional_use_approver = Approver.SUPERINTENDENT
    world.district.save()

    with pytest.raises(PermissionDenied):
        authorize(world, use, by=world.director, decided_as="designee")


def test_it_takes_only_a_school_board_decision_with_its_written_record_under_a_board_policy(world, use):
    world.district.instructional_use_approver = Approver.SCHOOL_BOARD
    world.district.save()

    with pytest.raises(ValidationError) as as_superintendent:
        authorize(world, use, decided_as="superintendent")
    with pytest.raises(ValidationError) as without_record:
        authorize(world, use, decided_as="school_board", reference="  ")
    assert "decided_as" in as_superintendent.value.message_dict
    assert "decision_reference" in without_record.value.message_dict
    assert reload(use).status == AuthorizationStatus.REQUESTED

    authorize(world, use, decided_as="school_board", reference="Board minutes, Nov. 9, 2026, item 4")

    use = reload(use)
    assert (use.status, use.decided_as, use.decision_reference) == (
        "authorized",
        "school_board",
        "Board minutes, Nov. 9, 2026, item 4",
    )


def test_it_refuses_the_foreign_superintendent_role_of_another_district(world, use):
    with pytest.raises(PermissionDenied):
        services.instructional_use_decline(
            acting_user=world.foreign_director, use=reload(use), decided_as="superintendent", reason="No."
        )


@pytest.mark.parametrize("persona", ["director", "principal", "clerk", "staff"])
def test_it_lets_only_the_decider_decline(world, use, persona):
    with pytest.raises(PermissionDenied):
        services.instructional_use_decline(
            acting_user=world.persona(persona), use=reload(use), decided_as="superintendent", reason="Not now."
        )

    assert reload(use).status == AuthorizationStatus.REQUESTED


def test_it_declines_with_a_reason_and_opens_no_scope(world, use):
    with pytest.raises(ValidationError) as without_reason:
        services.instructional_use_decline(
            acting_user=world.superintendent, use=reload(use), decided_as="superintendent", reason="   "
        )
    assert "decision_reason" in without_reason.value.message_dict

    services.instructional_use_decline(
        acting_user=world.superintendent, use=reload(use), decided_as="superintendent", reason="Use the class blog."
    )

    use = reload(use)
    assert (use.status, use.decision_reason) == (AuthorizationStatus.DECLINED, "Use the class blog.")
    assert not ConsentScope.objects.filter(instructional_use=use).exists()


def test_it_decides_a_request_only_once(world, use):
    authorize(world, use)

    with pytest.raises(ValidationError):
        authorize(world, use)
    with pytest.raises(ValidationError):
        services.instructional_use_decline(
            acting_user=world.superintendent, use=reload(use), decided_as="superintendent", reason="Changed my mind."
        )
    assert ConsentScope.objects.filter(instructional_use=use).count() == 1


def test_it_refuses_to_authorize_a_tool_taken_off_the_approved_list(world, use, public_tool):
    public_tool.status = "retired"
    public_tool.save()

    with pytest.raises(ValidationError):
        authorize(world, use)

    assert reload(use).status == AuthorizationStatus.REQUESTED


@pytest.mark.parametrize("persona", ["director", "principal", "clerk", "staff"])
def test_it_lets_only_the_decider_revoke(world, use, persona):
    authorize(world, use)

    with pytest.raises(PermissionDenied):
        services.instructional_use_revoke(acting_user=world.persona(persona), use=reload(use), reason="Stop.")

    assert reload(use).status == AuthorizationStatus.AUTHORIZED


def test_it_revokes_with_a_reason_and_closes_the_scope(world, use, club):
    [student] = enrol(club)
    authorize(world, use)
    answer(world, use, student)

    with pytest.raises(ValidationError):
        services.instructional_use_revoke(acting_user=world.superintendent, use=reload(use), reason="")
    services.instructional_use_revoke(acting_user=world.superintendent, use=reload(use), reason="A complaint.")

    use = reload(use)
    assert (use.status, use.end_reason, use.ended_by) == (
        AuthorizationStatus.REVOKED,
        "A complaint.",
        world.superintendent,
    )
    assert use.decided_by == world.superintendent and use.decision_reason == ""  # the decision stays as taken
    assert not ConsentScope.objects.get(instructional_use=use).active
    assert ConsentRecord.objects.filter(scope__instructional_use=use).count() == 1


# --- Withdrawing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["superintendent", "director", "principal", "clerk", "other_principal"])
def test_it_lets_only_the_staff_member_withdraw(world, use, persona):
    with pytest.raises(PermissionDenied):
        services.instructional_use_withdraw(acting_user=world.persona(persona), use=reload(use))

    assert reload(use).status == AuthorizationStatus.REQUESTED


def test_it_withdraws_an_authorization_closing_its_scope_but_keeping_the_answers(world, use, club):
    students = enrol(club, 2)
    authorize(world, use)
    for student in students:
        answer(world, use, student)

    services.instructional_use_withdraw(acting_user=world.staff, use=reload(use))

    scope = ConsentScope.objects.get(instructional_use=use)
    assert reload(use).status == AuthorizationStatus.WITHDRAWN
    assert scope.active is False
    assert ConsentRecord.objects.filter(scope=scope).count() == 2
    assert not is_ready(use)
    with pytest.raises(ValidationError):
        answer(world, use, students[0], "withdrawn")
    with pytest.raises(ValidationError):
        services.instructional_use_withdraw(acting_user=world.staff, use=reload(use))


def test_it_withdraws_a_request_still_waiting(world, use):
    services.instructional_use_withdraw(acting_user=world.staff, use=reload(use))

    assert reload(use).status == AuthorizationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        authorize(world, use)


def test_it_keeps_the_story_with_who_did_what(world, use):
    authorize(world, use)
    services.instructional_use_revoke(acting_user=world.superintendent, use=reload(use), reason="A complaint.")

    story = list(reload(use).history.order_by("history_date").values_list("history_change_reason", "history_user"))

    assert story == [
        ("Requested", world.staff.pk),
        ("Authorized", world.superintendent.pk),
        ("Revoked", world.superintendent.pk),
    ]


# --- Ready: every enrolled student's family has consented -------------------------------------------


def test_it_is_not_ready_until_the_last_enrolled_students_consent_arrives(world, use, club):
    first, second, third = enrol(club, 3)
    assert readiness(use) == {"enrolled": 3, "covered": 0, "needs_consent": True, "is_ready": False}
    authorize(world, use)
    assert readiness(use) == {"enrolled": 3, "covered": 0, "needs_consent": True, "is_ready": False}

    answer(world, use, first)
    answer(world, use, second)
    assert readiness(use) == {"enrolled": 3, "covered": 2, "needs_consent": True, "is_ready": False}

    answer(world, use, third)
    assert readiness(use) == {"enrolled": 3, "covered": 3, "needs_consent": True, "is_ready": True}


def test_it_stops_being_ready_when_a_family_withdraws_consent(world, use, club):
    first, second = enrol(club, 2)
    authorize(world, use)
    answer(world, use, first)
    answer(world, use, second)
    assert is_ready(use)

    answer(world, use, second, "withdrawn", datetime.date(2026, 11, 20))

    assert readiness(use)["covered"] == 1
    assert not is_ready(use)


def test_it_stops_being_ready_when_a_refusal_is_recorded(world, use, club):
    [student] = enrol(club)
    authorize(world, use)
    answer(world, use, student)
    assert is_ready(use)

    answer(world, use, student, "refused", datetime.date(2026, 11, 21))

    assert not is_ready(use)


def test_it_counts_an_answer_from_the_day_it_was_received(world, use, club):
    [student] = enrol(club)
    authorize(world, use)
    answer(world, use, student, received_on=datetime.date(2026, 11, 20))

    assert not is_ready(use, datetime.date(2026, 11, 19))
    assert is_ready(use, datetime.date(2026, 11, 20))


def test_it_stops_being_ready_when_a_new_student_joins_the_program(world, use, club):
    [student] = enrol(club)
    authorize(world, use)
    answer(world, use, student)
    assert is_ready(use)

    enrol(club)

    assert readiness(use) == {"enrolled": 2, "covered": 1, "needs_consent": True, "is_ready": False}


def test_it_is_ready_again_when_the_student_without_consent_leaves_the_program(world, use, club):
    stays, leaves = enrol(club, 2)
    authorize(world, use)
    answer(world, use, stays)
    assert not is_ready(use)

    ProgramMembership.objects.filter(program=club, student=leaves).update(ended_on=datetime.date(2026, 11, 20))

    assert readiness(use) == {"enrolled": 1, "covered": 1, "needs_consent": True, "is_ready": True}


def test_it_stops_being_ready_when_it_ends(world, use, club):
    [student] = enrol(club)
    authorize(world, use)
    answer(world, use, student)

    assert is_ready(use, ENDS)
    assert not is_ready(use, ENDS + datetime.timedelta(days=1))


def test_it_stops_being_ready_when_it_is_revoked(world, use, club):
    [student] = enrol(club)
    authorize(world, use)
    answer(world, use, student)
    assert is_ready(use)

    services.instructional_use_revoke(acting_user=world.superintendent, use=reload(use), reason="A complaint.")

    assert not is_ready(use)


def test_it_is_never_ready_for_an_empty_program(world, use):
    authorize(world, use)

    assert readiness(use) == {"enrolled": 0, "covered": 0, "needs_consent": True, "is_ready": False}


def test_a_tool_needing_no_consent_is_ready_as_soon_as_authorized_and_opens_no_scope(world, today, club, quiz_tool):
    enrol(club, 2)
    use = ask(world, quiz_tool, club)
    assert not is_ready(use)

    authorize(world, use)

    assert readiness(use) == {"enrolled": 2, "covered": 0, "needs_consent": False, "is_ready": True}
    assert not ConsentScope.objects.filter(instructional_use=use).exists()
    assert [p.covered for p in selectors.participants(reload(use))] == [True, True]


def test_it_asks_consent_of_a_tool_marked_as_needing_it_even_if_not_a_public_network(world, today, club):
    tool = ToolFactory(district=world.district, name="Class blog", parental_consent_required=True)
    use = ask(world, tool, club)

    authorize(world, use)

    assert ConsentScope.objects.filter(instructional_use=use, kind=ScopeKind.PARTICIPATION).exists()


def test_readiness_in_sql_agrees_with_the_student_by_student_list(world, use, club):
    granted, refused, withdrawn, regranted, silent, later = enrol(club, 6)
    departed, finished = enrol(club, 2)
    elsewhere = ProgramFactory(school=world.school)
    outsider = enrol(elsewhere)[0]
    authorize(world, use)
    answer(world, use, granted)
    answer(world, use, refused, "refused")
    answer(world, use, withdrawn)
    answer(world, use, withdrawn, "withdrawn", datetime.date(2026, 11, 10))
    answer(world, use, regranted, "refused")
    answer(world, use, regranted, "granted", datetime.date(2026, 11, 10))
    answer(world, use, later, received_on=datetime.date(2026, 11, 21))
    answer(world, use, departed)
    answer(world, use, outsider)
    Student.objects.filter(pk=departed.pk).update(active=False, left_on=datetime.date(2026, 11, 15))
    ProgramMembership.objects.filter(student=finished).update(ended_on=datetime.date(2026, 11, 15))
    on = datetime.date(2026, 11, 20)

    listed = selectors.participants(reload(use), on)
    counted = readiness(use, on)

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

    uses = InstructionalUse.objects.all()
    assert list(selectors.authorizations_waiting(uses)) == [first, second]
    assert list(selectors.authorizations_not_ready(uses)) == [third]
    assert list(selectors.authorizations_in_force(uses)) == [third]


def test_participation_scopes_stay_off_the_photo_pages(world, scopes, use):
    authorize(world, use)

    active = selectors.active_scopes(world.district)

    assert ConsentScope.objects.filter(instructional_use=use, active=True).exists()
    assert all(scope.kind != ScopeKind.PARTICIPATION for scope in active)
    assert {scope.pk for scope in active} == {scope.pk for scope in scopes.values()}


# --- Asking ------------------------------------------------------------------------------------------


def test_it_records_the_request_for_the_staff_member_asking(world, use, club, public_tool):
    use = reload(use)

    assert (use.staff_member, use.requested_by, use.tool, use.program, use.district) == (
        world.staff,
        world.staff,
        public_tool,
        club,
        world.district,
    )
    assert (use.status, use.starts_on, use.ends_on, use.purpose) == ("requested", STARTS, ENDS, "Post build updates.")


@pytest.mark.parametrize("status", ["under_review", "not_approved", "retired"])
def test_it_refuses_a_request_for_a_tool_not_on_the_approved_list(world, today, club, status):
    tool = ToolFactory(district=world.district, status=status, decided_on=datetime.date(2026, 8, 1))

    with pytest.raises(ValidationError) as refused:
        ask(world, tool, club)

    assert "tool" in refused.value.message_dict
    assert not InstructionalUse.objects.exists()


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
    assert not InstructionalUse.objects.exists()


def test_it_refuses_a_request_without_a_purpose(world, today, club, public_tool):
    with pytest.raises(ValidationError) as refused:
        ask(world, public_tool, club, purpose="   ")

    assert "purpose" in refused.value.message_dict


def test_it_refuses_a_request_from_someone_outside_any_district(world, today, club, public_tool, superuser):
    with pytest.raises(PermissionDenied):
        ask(world, public_tool, club, by=superuser)


# --- Before the decision, and after the dates ----------------------------------------------------------


def test_a_waiting_request_for_a_public_network_already_counts_as_needing_consent(world, use, club):
    [student] = enrol(club)
    assert readiness(use) == {"enrolled": 1, "covered": 0, "needs_consent": True, "is_ready": False}
    [participant] = selectors.participants(reload(use))
    assert (participant.student, participant.covered) == (student, False)


def test_a_waiting_request_for_a_plain_tool_needs_no_consent(world, today, club, quiz_tool):
    enrol(club)
    waiting = ask(world, quiz_tool, club)
    assert readiness(waiting)["needs_consent"] is False
    assert [p.covered for p in selectors.participants(reload(waiting))] == [True]


def test_it_refuses_to_authorize_dates_that_have_passed(world, use):
    InstructionalUse.objects.filter(pk=use.pk).update(
        starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 11, 20)
    )
    with pytest.raises(ValidationError, match="dates asked for have passed"):
        authorize(world, use)
    assert reload(use).status == AuthorizationStatus.REQUESTED


def test_a_withdrawal_records_who_ended_it_and_when(world, use):
    services.instructional_use_withdraw(acting_user=world.staff, use=reload(use))
    use = reload(use)
    assert (use.ended_by, use.ended_at is not None, use.end_reason) == (world.staff, True, "")


def test_the_consent_import_leaves_participation_answers_to_the_authorization(world, use, club):
    """Two authorizations' forms must never be confused by a file, nor answered for students not enrolled."""
    from consent import importer

    authorize(world, use)
    lookup = importer._scope_lookup(world.district)
    assert ScopeKind.PARTICIPATION not in lookup
    assert ConsentScope.objects.get(instructional_use=use).name.lower() not in lookup
