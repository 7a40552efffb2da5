"""The approved-tool list: who decides under each policy, requests, logo permission, and the
questions reminders and dashboards ask."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Approver, ToolListVisibility
from registry.models import AccountLogoPermission
from tests.factories import SocialAccountFactory, ToolFactory, ToolRequestFactory, UserFactory, staff_at
from tools import access as tool_access
from tools import selectors as tool_selectors
from tools import services as tool_services
from tools.models import ApprovalPower, DecidedAs, Tool, ToolRequest, ToolRequestStatus, ToolStatus

NOW = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _set_policy(district, **values):
    for field, value in values.items():
        setattr(district, field, value)
    district.save()


# --- Who decides --------------------------------------------------------------------------------

S, D, B = DecidedAs.SUPERINTENDENT, DecidedAs.DESIGNEE, DecidedAs.SCHOOL_BOARD

# policy → capacities of: superintendent, director, director once designated, principal, staff
CAPACITIES = {
    Approver.SUPERINTENDENT: ([S], [], [], [], []),
    Approver.SUPERINTENDENT_OR_DESIGNEE: ([S], [], [D], [], []),
    Approver.SCHOOL_BOARD: ([B], [B], [B], [], []),
    Approver.SUPERINTENDENT_OR_BOARD: ([S, B], [B], [B], [], []),
}


# The policy profile's field for each power.
APPROVER_FIELD = {
    "tools": "tool_approver",
    "instructional_use": "instructional_use_approver",
    "logo_use": "logo_use_approver",
    "spokesperson": "spokesperson_approver",
}


@pytest.mark.parametrize("power", list(ApprovalPower))
@pytest.mark.parametrize("approver", list(CAPACITIES))
def test_it_lets_only_whom_the_policy_names_decide(world, approver, power):
    _set_policy(world.district, **{APPROVER_FIELD[power]: approver})
    superintendent, director, designated, principal, staff = CAPACITIES[approver]
    assert tool_access.decision_capacities(world.superintendent, world.district, power) == superintendent
    assert tool_access.decision_capacities(world.director, world.district, power) == director
    assert tool_access.decision_capacities(world.principal, world.district, power) == principal
    assert tool_access.decision_capacities(world.staff, world.district, power) == staff
    if approver == Approver.SUPERINTENDENT_OR_DESIGNEE:
        tool_services.designee_add(
            acting_user=world.superintendent, district=world.district, user=world.director, power=power
        )
    else:
        with pytest.raises(ValidationError, match="does not let a designee"):
            tool_services.designee_add(
                acting_user=world.superintendent, district=world.district, user=world.director, power=power
            )
    assert tool_access.decision_capacities(world.director, world.district, power) == designated


def test_it_never_lets_another_district_or_an_operator_decide(world, superuser):
    assert tool_access.decision_capacities(world.foreign_director, world.district, ApprovalPower.TOOLS) == []
    assert tool_access.decision_capacities(superuser, world.district, ApprovalPower.TOOLS) == []
    other_superintendent = staff_at(world.foreign_school, "superintendent")
    assert tool_access.decision_capacities(other_superintendent, world.district, ApprovalPower.TOOLS) == []


def test_it_limits_a_designee_to_the_power_and_period_given(world):
    designee = tool_services.designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power=ApprovalPower.TOOLS
    )
    assert tool_access.decision_capacities(world.director, world.district, ApprovalPower.LOGO_USE) == []
    tool_services.designee_end(acting_user=world.superintendent, designee=designee)
    assert tool_access.decision_capacities(world.director, world.district, ApprovalPower.TOOLS) == []
    assert designee.history.first().history_user == world.superintendent


def test_it_lets_only_the_superintendent_designate(world):
    with pytest.raises(PermissionDenied):
        tool_services.designee_add(
            acting_user=world.director, district=world.district, user=world.director, power=ApprovalPower.TOOLS
        )
    with pytest.raises(ValidationError, match="already decide"):
        tool_services.designee_add(
            acting_user=world.superintendent,
            district=world.district,
            user=world.superintendent,
            power=ApprovalPower.TOOLS,
        )
    with pytest.raises(ValidationError, match="active staff member"):
        tool_services.designee_add(
            acting_user=world.superintendent,
            district=world.district,
            user=world.foreign_director,
            power=ApprovalPower.TOOLS,
        )
    tool_services.designee_add(
        acting_user=world.superintendent, district=world.district, user=world.principal, power=ApprovalPower.TOOLS
    )
    with pytest.raises(ValidationError, match="already a designee"):
        tool_services.designee_add(
            acting_user=world.superintendent, district=world.district, user=world.principal, power=ApprovalPower.TOOLS
        )


# --- Keeping the list ----------------------------------------------------------------------------


def _new_tool(world, **values):
    return tool_services.tool_save(acting_user=world.director, tool=Tool(district=world.district, **values))


def test_it_adds_a_tool_under_review_whatever_the_form_says(world):
    tool = _new_tool(world, name="Padlet", status=ToolStatus.APPROVED)
    assert tool.status == ToolStatus.UNDER_REVIEW
    assert tool.added_by == world.director
    assert tool.history.first().history_change_reason == "Added to the list"


def test_it_refuses_the_same_tool_twice_whatever_the_case(world):
    _new_tool(world, name="Padlet")
    with pytest.raises(ValidationError, match="already on the list"):
        _new_tool(world, name="  padlet ")
    ToolFactory(district=world.other_district, name="Seesaw")
    assert _new_tool(world, name="Seesaw").pk  # another district's list is its own


def test_it_always_requires_consent_for_a_public_network(world):
    tool = _new_tool(world, name="Instagram", is_public_social_media=True, parental_consent_required=False)
    assert tool.parental_consent_required and tool.needs_participation_consent


def test_it_lets_only_keepers_of_the_list_change_it(world):
    for persona in (world.principal, world.staff, world.clerk, world.communications, world.foreign_director):
        with pytest.raises(PermissionDenied):
            tool_services.tool_save(acting_user=persona, tool=Tool(district=world.district, name="Padlet"))


def test_it_checks_the_grade_band_and_the_privacy_agreement(world):
    with pytest.raises(ValidationError) as error:
        _new_tool(world, name="Backwards", lowest_grade=9, highest_grade=6, privacy_agreement_expires_on=TODAY)
    assert set(error.value.message_dict) == {"highest_grade", "privacy_agreement_on_file"}


def test_it_lets_only_the_policys_approver_decide_a_tool(world):
    tool = _new_tool(world, name="Padlet")
    with pytest.raises(PermissionDenied):
        tool_services.tool_decide(
            acting_user=world.director, tool=tool, status=ToolStatus.APPROVED, decided_as=DecidedAs.SUPERINTENDENT
        )
    with pytest.raises(ValidationError, match="Under your district's policy"):
        tool_services.tool_decide(
            acting_user=world.superintendent, tool=tool, status=ToolStatus.APPROVED, decided_as=DecidedAs.DESIGNEE
        )
    tool = tool_services.tool_decide(
        acting_user=world.superintendent, tool=tool, status=ToolStatus.APPROVED, decided_as=DecidedAs.SUPERINTENDENT
    )
    assert (tool.status, tool.decided_by, tool.decided_on) == (ToolStatus.APPROVED, world.superintendent, TODAY)


def test_it_sets_the_next_review_from_the_districts_interval(world):
    _set_policy(world.district, tool_review_interval_months=6)
    tool = tool_services.tool_decide(
        acting_user=world.superintendent,
        tool=_new_tool(world, name="Padlet"),
        status=ToolStatus.APPROVED,
        decided_as=DecidedAs.SUPERINTENDENT,
    )
    assert tool.next_review_on == datetime.date(2027, 5, 21)
    again = tool_services.tool_decide(
        acting_user=world.superintendent, tool=tool, status=ToolStatus.APPROVED, decided_as=DecidedAs.SUPERINTENDENT
    )
    assert again.history.first().history_change_reason == "Reviewed: still approved"


def test_it_requires_written_conditions_and_a_board_record(world):
    tool = _new_tool(world, name="Instagram")
    with pytest.raises(ValidationError, match="conditions"):
        tool_services.tool_decide(
            acting_user=world.superintendent,
            tool=tool,
            status=ToolStatus.APPROVED_WITH_CONDITIONS,
            decided_as=DecidedAs.SUPERINTENDENT,
        )
    _set_policy(world.district, tool_approver=Approver.SCHOOL_BOARD)
    with pytest.raises(ValidationError, match="Board's decision is written"):
        tool_services.tool_decide(
            acting_user=world.director, tool=tool, status=ToolStatus.NOT_APPROVED, decided_as=DecidedAs.SCHOOL_BOARD
        )
    tool = tool_services.tool_decide(
        acting_user=world.director,
        tool=tool,
        status=ToolStatus.NOT_APPROVED,
        decided_as=DecidedAs.SCHOOL_BOARD,
        reference="Board minutes, November 9, 2026, item 3",
    )
    assert (tool.status, tool.next_review_on, tool.decision_reference[:13]) == (
        ToolStatus.NOT_APPROVED,
        None,
        "Board minutes",
    )


def test_it_refuses_a_status_a_decision_cannot_give(world):
    with pytest.raises(ValidationError):
        tool_services.tool_decide(
            acting_user=world.superintendent,
            tool=_new_tool(world, name="Padlet"),
            status=ToolStatus.RETIRED,
            decided_as=DecidedAs.SUPERINTENDENT,
        )


def test_it_retires_a_tool_with_a_reason(world):
    tool = ToolFactory(district=world.district)
    with pytest.raises(ValidationError, match="Say why"):
        tool_services.tool_set_aside(acting_user=world.director, tool=tool, status=ToolStatus.RETIRED, reason=" ")
    tool = tool_services.tool_set_aside(
        acting_user=world.director, tool=tool, status=ToolStatus.RETIRED, reason="The vendor closed."
    )
    assert (tool.status, tool.next_review_on, tool.is_usable) == (ToolStatus.RETIRED, None, False)
    with pytest.raises(PermissionDenied):
        tool_services.tool_set_aside(acting_user=world.principal, tool=tool, status=ToolStatus.UNDER_REVIEW, reason="x")


def test_the_database_refuses_an_undated_decision_or_unwritten_conditions(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ToolFactory(district=world.district, decided_on=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ToolFactory(district=world.district, status=ToolStatus.APPROVED_WITH_CONDITIONS, conditions="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ToolFactory(district=world.district, name="PADLET"), ToolFactory(district=world.district, name="padlet")


@pytest.mark.parametrize(
    ("lowest", "minimum_age", "under_13", "warning"),
    [(9, 13, False, ""), (6, 13, True, "grade 6 can be 11"), (None, None, True, ""), (0, None, True, "")],
)
def test_it_flags_use_with_children_under_13(world, lowest, minimum_age, under_13, warning):
    tool = ToolFactory.build(district=world.district, lowest_grade=lowest, highest_grade=12, minimum_age=minimum_age)
    assert tool.used_under_13 is under_13
    assert warning in tool.age_warning and bool(tool.age_warning) is bool(warning)


def test_it_names_grade_bands_plainly():
    assert ToolFactory.build(lowest_grade=-1, highest_grade=5).grade_band == "Grades Pre-K–5"
    assert ToolFactory.build(lowest_grade=0, highest_grade=0).grade_band == "Grade K"
    assert ToolFactory.build(lowest_grade=None, highest_grade=None).grade_band == "Any grade"


# --- Requests -----------------------------------------------------------------------------------


def _request(world, name="Book Creator", **values):
    return tool_services.tool_request_submit(
        acting_user=values.pop("by", world.staff),
        tool_request=ToolRequest(
            tool_name=name,
            purpose="Students write e-books.",
            students="Two 4th-grade classes.",
            **values,
        ),
    )


def test_it_tells_staff_a_tool_is_already_approved(world):
    ToolFactory(district=world.district, name="Kahoot!")
    with pytest.raises(ValidationError, match="already approved: you may use it"):
        _request(world, "kahoot!")


def test_it_links_a_request_to_the_tool_under_review(world):
    tool = _new_tool(world, name="Padlet")
    assert _request(world, "padlet").tool == tool


def test_it_refuses_a_school_of_another_district(world):
    with pytest.raises(ValidationError, match="school of your district"):
        _request(world, school=world.foreign_school)


def test_approving_a_request_puts_the_tool_on_the_list(world):
    request = _request(world, lowest_grade=4, highest_grade=4, is_public_social_media=True)
    with pytest.raises(PermissionDenied):
        tool_services.tool_request_approve(
            acting_user=world.director, tool_request=request, decided_as=DecidedAs.SUPERINTENDENT
        )
    request = tool_services.tool_request_approve(
        acting_user=world.superintendent,
        tool_request=request,
        decided_as=DecidedAs.SUPERINTENDENT,
        conditions="Class accounts only.",
    )
    tool = request.tool
    assert (request.status, request.decided_by) == (ToolRequestStatus.APPROVED_WITH_CONDITIONS, world.superintendent)
    assert (tool.status, tool.conditions, tool.lowest_grade) == (
        ToolStatus.APPROVED_WITH_CONDITIONS,
        "Class accounts only.",
        4,
    )
    assert tool.parental_consent_required
    with pytest.raises(ValidationError, match="already approved"):
        tool_services.tool_request_decline(
            acting_user=world.superintendent, tool_request=request, decided_as=DecidedAs.SUPERINTENDENT, reason="No"
        )


def test_declining_keeps_the_reason_and_lists_the_tool_as_not_approved(world):
    request = _request(world, "TikTok")
    with pytest.raises(ValidationError, match="Give the reason"):
        tool_services.tool_request_decline(
            acting_user=world.superintendent, tool_request=request, decided_as=DecidedAs.SUPERINTENDENT, reason=""
        )
    request = tool_services.tool_request_decline(
        acting_user=world.superintendent,
        tool_request=request,
        decided_as=DecidedAs.SUPERINTENDENT,
        reason="No student data privacy agreement is possible.",
    )
    assert request.status == ToolRequestStatus.DECLINED
    assert request.tool.status == ToolStatus.NOT_APPROVED
    assert request.decision_reason.startswith("No student data")


def test_declining_a_request_leaves_an_approved_tool_alone(world):
    request = _request(world, "Padlet")
    tool = ToolFactory(district=world.district, name="Padlet")  # approved while the request waited
    tool_services.tool_request_decline(
        acting_user=world.superintendent, tool_request=request, decided_as=DecidedAs.SUPERINTENDENT, reason="Use it."
    )
    tool.refresh_from_db()
    assert tool.status == ToolStatus.APPROVED


def test_only_the_requester_withdraws(world):
    request = _request(world)
    with pytest.raises(PermissionDenied):
        tool_services.tool_request_withdraw(acting_user=world.principal, tool_request=request)
    assert tool_services.tool_request_withdraw(acting_user=world.staff, tool_request=request).status == "withdrawn"


# --- Logo permission ----------------------------------------------------------------------------


def _grant(world, user, account, **values):
    return tool_services.logo_permission_grant(
        acting_user=user,
        subject=account,
        decided_as=values.pop("decided_as", DecidedAs.SUPERINTENDENT),
        granted_by_name=values.pop("granted_by_name", "Dr. Ann Lee, Superintendent"),
        granted_on=values.pop("granted_on", TODAY),
        written_as=values.pop("written_as", "letter"),
        **values,
    )


def test_logo_permission_comes_only_from_whom_the_policy_names(world):
    account = SocialAccountFactory(school=world.school)
    with pytest.raises(PermissionDenied):
        _grant(world, world.director, account)
    permission = _grant(world, world.superintendent, account, reference="Letter in the communications file")
    assert (permission.district, permission.recorded_by, permission.is_current) == (
        world.district,
        world.superintendent,
        True,
    )
    assert tool_selectors.current_logo_permission(account) == permission
    assert "Dr. Ann Lee" in permission.summary


def test_a_board_grants_logo_permission_in_its_minutes(world):
    _set_policy(world.district, logo_use_approver=Approver.SCHOOL_BOARD)
    tool = ToolFactory(district=world.district)
    with pytest.raises(ValidationError, match="Board's decision"):
        tool_services.logo_permission_grant(
            acting_user=world.director,
            subject=tool,
            decided_as=DecidedAs.SCHOOL_BOARD,
            granted_by_name="School Board",
            granted_on=TODAY,
            written_as="board_minutes",
        )
    permission = tool_services.logo_permission_grant(
        acting_user=world.director,
        subject=tool,
        decided_as=DecidedAs.SCHOOL_BOARD,
        granted_by_name="School Board",
        granted_on=TODAY,
        written_as="board_minutes",
        reference="Minutes of November 9, 2026",
    )
    assert tool_selectors.current_logo_permission(tool) == permission


def test_a_new_logo_permission_replaces_the_old_one_and_withdrawal_keeps_it(world):
    account = SocialAccountFactory(school=world.school)
    first = _grant(world, world.superintendent, account, granted_on=datetime.date(2025, 1, 5))
    second = _grant(world, world.superintendent, account)
    first.refresh_from_db()
    assert (first.withdrawn_on, first.withdrawal_reason) == (TODAY, "Replaced by a new permission")
    with pytest.raises(ValidationError, match="Say why"):
        tool_services.logo_permission_withdraw(acting_user=world.superintendent, permission=second, reason="")
    tool_services.logo_permission_withdraw(acting_user=world.superintendent, permission=second, reason="Page renamed.")
    assert tool_selectors.current_logo_permission(account) is None
    assert AccountLogoPermission.objects.filter(subject=account).count() == 2


def test_a_logo_permission_cannot_be_dated_in_the_future(world):
    with pytest.raises(ValidationError, match="future"):
        _grant(
            world, world.superintendent, SocialAccountFactory(school=world.school), granted_on=TODAY.replace(year=2027)
        )


# --- Questions for reminders and dashboards -------------------------------------------------------


def test_it_finds_reviews_due_and_overdue(world):
    tools = tool_selectors.tools_of(world.district.pk)
    soon = ToolFactory(district=world.district, next_review_on=TODAY + datetime.timedelta(days=10))
    late = ToolFactory(district=world.district, next_review_on=TODAY - datetime.timedelta(days=1))
    ToolFactory(district=world.district, next_review_on=TODAY + datetime.timedelta(days=40))
    ToolFactory(district=world.district, status=ToolStatus.RETIRED, next_review_on=TODAY)
    ToolFactory(district=world.other_district, next_review_on=TODAY)
    assert set(tool_selectors.tool_reviews_due(tools, within_days=14)) == {soon, late}
    assert list(tool_selectors.tool_reviews_overdue(tools)) == [late]


def test_it_finds_privacy_agreements_expiring_and_expired(world):
    tools = tool_selectors.tools_of(world.district.pk)

    def with_agreement(days, **values):
        return ToolFactory(
            district=world.district,
            privacy_agreement_on_file=True,
            privacy_agreement_expires_on=TODAY + datetime.timedelta(days=days),
            **values,
        )

    soon, today_ends = with_agreement(20), with_agreement(0)
    expired = with_agreement(-3)
    with_agreement(90)
    with_agreement(5, status=ToolStatus.NOT_APPROVED)
    assert set(tool_selectors.privacy_agreements_expiring(tools, within_days=30)) == {soon, today_ends}
    assert list(tool_selectors.privacy_agreements_expired(tools)) == [expired]


def test_it_lists_requests_waiting_oldest_first(world):
    first = ToolRequestFactory(requested_by=world.staff, requested_at=NOW - datetime.timedelta(days=3))
    second = ToolRequestFactory(requested_by=world.principal)
    ToolRequestFactory(requested_by=world.staff, status=ToolRequestStatus.WITHDRAWN)
    ToolRequestFactory(requested_by=UserFactory(district=world.other_district))
    assert list(tool_selectors.tool_requests_waiting(world.district.pk)) == [first, second]


def test_the_public_list_follows_the_policy_and_shows_approved_tools_only(world):
    approved = ToolFactory(district=world.district)
    ToolFactory(district=world.district, status=ToolStatus.UNDER_REVIEW, decided_on=None)
    ToolFactory(district=world.district, status=ToolStatus.NOT_APPROVED)
    _set_policy(world.district, tool_list_visibility=ToolListVisibility.STAFF)
    assert list(tool_selectors.public_tool_list(world.district)) == []
    _set_policy(world.district, tool_list_visibility=ToolListVisibility.PUBLIC)
    assert list(tool_selectors.public_tool_list(world.district)) == [approved]


def test_staff_see_their_own_districts_list_only(world):
    mine = ToolFactory(district=world.district)
    ToolFactory(district=world.other_district)
    for persona in (world.staff, world.clerk, world.principal, world.director):
        assert list(tool_access.visible_tools(persona)) == [mine]
    assert tool_access.visible_tools(UserFactory(district=None)).count() == 0


def test_deciding_a_tool_answers_the_requests_waiting_for_it(world):
    waiting = _request(world, "padlet")
    other = _request(world, "Book Creator")
    tool = _new_tool(world, name="Padlet")
    tool_services.tool_decide(
        acting_user=world.superintendent, tool=tool, status=ToolStatus.NOT_APPROVED, decided_as=DecidedAs.SUPERINTENDENT
    )
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert (waiting.status, waiting.tool, waiting.decided_by) == (
        ToolRequestStatus.DECLINED,
        tool,
        world.superintendent,
    )
    assert waiting.decision_reason == "Decided on the tool's page: Not approved."
    assert other.status == ToolRequestStatus.WAITING


@pytest.mark.parametrize("power", list(ApprovalPower))
@pytest.mark.parametrize("approver", list(CAPACITIES))
def test_the_people_reminders_tell_are_exactly_those_who_may_decide(world, approver, power):
    _set_policy(world.district, **{APPROVER_FIELD[power]: approver})
    if approver == Approver.SUPERINTENDENT_OR_DESIGNEE:
        tool_services.designee_add(
            acting_user=world.superintendent, district=world.district, user=world.principal, power=power
        )
    everyone = [world.director, world.superintendent, world.communications, world.principal, world.clerk, world.staff]
    deciding = {person.pk for person in everyone if tool_access.decision_capacities(person, world.district, power)}
    assert set(tool_access.decision_makers(world.district, power).values_list("pk", flat=True)) == deciding


def test_no_logo_permission_is_recorded_where_the_policy_provides_none(world):
    # 458 says nothing of the logo; 4118.51 ties it to the approved networks, not to a letter.
    _set_policy(world.district, logo_permission_required=False)
    account = SocialAccountFactory(school=world.school)
    with pytest.raises(ValidationError, match="provides no written permission"):
        _grant(world, world.superintendent, account)
    assert tool_selectors.current_logo_permission(account) is None
