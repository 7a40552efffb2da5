"""From request to active, by the district's policy: 547 and 458 differ; retired is kept."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from registry import services
from registry.models import AccountStatus, SocialAccount
from registry.services import Designation
from tests.factories import platform
from tests.registry.conftest import address, details, use_policy
from tools import selectors as tool_selectors
from tools import services as tool_services


def test_under_547_the_director_approves_and_an_administrator_launches(world, request_account, today):
    use_policy(world.district, "547")
    account = request_account()
    assert account.status == AccountStatus.REQUESTED

    account = services.account_approve(acting_user=world.director, account=account)
    assert account.status == AccountStatus.APPROVED  # no communications step in 547

    account = services.account_activate(acting_user=world.staff, account=account)  # the requester administers it
    assert account.status == AccountStatus.ACTIVE
    assert account.launched_on == today
    assert account.next_review_on == datetime.date(2027, 11, 21)  # launch + the 12-month interval


def test_under_458_the_communications_office_must_see_the_page_before_launch(world, request_account, today):
    use_policy(world.district, "458")
    account = services.account_approve(acting_user=world.director, account=request_account())
    assert account.status == AccountStatus.AWAITING_COMMUNICATIONS

    with pytest.raises(PermissionDenied):
        services.account_activate(acting_user=world.director, account=account)  # not yet approved to launch
    with pytest.raises(PermissionDenied):
        services.account_confirm_communications(acting_user=world.director, account=account)

    account = services.account_confirm_communications(acting_user=world.communications, account=account)
    assert account.status == AccountStatus.APPROVED
    assert account.communications_confirmed_by == world.communications
    assert account.communications_confirmed_at is not None
    assert account.history.filter(history_change_reason="Seen by the communications office").exists()

    account = services.account_activate(acting_user=world.staff, account=account)
    assert account.status == AccountStatus.ACTIVE


def test_without_prior_approval_a_request_is_a_registration(world, request_account):
    use_policy(world.district, "register_only")

    assert request_account().status == AccountStatus.APPROVED


@pytest.mark.parametrize(
    "persona", ["superintendent", "communications", "principal", "clerk", "staff", "foreign_director"]
)
def test_only_the_director_of_the_district_approves(world, request_account, persona):
    account = request_account()

    with pytest.raises(PermissionDenied):
        services.account_approve(acting_user=world.persona(persona), account=account)
    with pytest.raises(PermissionDenied):
        services.account_reject(acting_user=world.persona(persona), account=account, reason="No.")


def test_a_rejection_needs_a_reason_and_keeps_the_record(world, request_account):
    account = request_account()
    with pytest.raises(ValidationError):
        services.account_reject(acting_user=world.director, account=account, reason="  ")

    account = services.account_reject(acting_user=world.director, account=account, reason="Use the school's page.")

    assert account.status == AccountStatus.REJECTED
    assert account.decision_reason == "Use the school's page."
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_two_directors_deciding_at_once_cannot_both_win(world, request_account):
    account = request_account()
    stale = SocialAccount.objects.get(pk=account.pk)
    services.account_reject(acting_user=world.director, account=account, reason="Duplicate of the band page.")

    with pytest.raises(ValidationError, match="out of date"):
        services.account_approve(acting_user=world.director, account=stale)


def test_activation_needs_the_policys_minimum_of_administrators(world, request_account, today):
    world.district.min_account_administrators = 2
    world.district.save()
    account = services.account_approve(acting_user=world.director, account=request_account())

    with pytest.raises(ValidationError, match="at least 2 designated administrators"):
        services.account_activate(acting_user=world.director, account=account)
    assert SocialAccount.objects.get(pk=account.pk).status == AccountStatus.APPROVED


def test_the_director_registers_an_existing_live_account_as_active(world, colleague, today):
    account = services.account_register(
        acting_user=world.director,
        district=world.district,
        platform=platform("facebook"),
        address=address("https://www.facebook.com/NorthHighSchool", "facebook"),
        details=details(world.school, display_name="North High School"),
        administrators=[Designation(world.principal, "primary"), Designation(colleague, "backup")],
        launched_on=datetime.date(2019, 9, 1),
    )

    assert account.status == AccountStatus.ACTIVE
    assert account.launched_on == datetime.date(2019, 9, 1)
    assert account.next_review_on == datetime.date(2027, 11, 21)  # not overdue on its first day in the registry
    assert account.decided_by == world.director


def test_an_existing_account_without_administrators_waits_for_them(world, today):
    account = services.account_register(
        acting_user=world.director,
        district=world.district,
        platform=platform("x"),
        address=address("@northhigh", "x"),
        details=details(world.school),
        administrators=[],
        launched_on=datetime.date(2020, 1, 1),
    )

    assert account.status == AccountStatus.APPROVED


def test_only_a_director_registers_an_existing_account(world):
    with pytest.raises(PermissionDenied):
        services.account_register(
            acting_user=world.principal,
            district=world.district,
            platform=platform("x"),
            address=address("@northhigh", "x"),
            details=details(world.school),
            administrators=[],
            launched_on=None,
        )


def test_suspended_and_retired_accounts_are_kept_and_their_designations_end(world, request_account, today):
    account = services.account_approve(acting_user=world.director, account=request_account())
    account = services.account_activate(acting_user=world.director, account=account)

    account = services.account_suspend(acting_user=world.director, account=account, reason="Posted a student's name.")
    assert account.status == AccountStatus.SUSPENDED
    account = services.account_reinstate(acting_user=world.director, account=account)
    assert account.status == AccountStatus.ACTIVE
    account = services.account_retire(acting_user=world.director, account=account, reason="The club disbanded.")

    assert account.status == AccountStatus.RETIRED
    assert not account.administrators.filter(ends_on__isnull=True).exists()
    reasons = list(account.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["Requested", "Approved", "Launched", "Suspended", "Reinstated", "Retired"]
    assert [h.history_user for h in account.history.order_by("history_date")][1:] == [world.director] * 5


def test_every_step_needs_the_right_starting_state(world, request_account):
    account = request_account()

    with pytest.raises(ValidationError):
        services.account_suspend(acting_user=world.director, account=account, reason="x")
    with pytest.raises(PermissionDenied):
        services.account_activate(acting_user=world.director, account=account)


def test_a_request_names_the_requester(world, request_account):
    assert request_account(by=world.clerk, admins=[]).requested_by == world.clerk


def test_a_request_cannot_come_from_someone_without_a_district(world, superuser):
    with pytest.raises(PermissionDenied):
        services.account_request(
            acting_user=superuser,
            platform=platform(),
            address=address(),
            details=details(world.school),
            administrators=[],
        )


def test_the_owner_must_belong_to_the_district(world, request_account):
    with pytest.raises(ValidationError):
        request_account(school=world.foreign_school)


def test_a_program_account_belongs_to_the_programs_school(world, request_account):
    from tests.factories import ProgramFactory

    team = ProgramFactory(school=world.other_school, name="Soccer")

    account = request_account(owner_kind="program", program=team, school=world.school)

    assert account.school == world.other_school


def test_a_personal_mailbox_is_refused_as_the_login_email(world, request_account):
    with pytest.raises(ValidationError, match="district controls"):
        request_account(login_email="coach.smith@gmail.com")


def test_logo_permission_is_recorded_with_who_when_and_how(world, request_account, today):
    account = request_account()
    grant = {
        "granted_by_name": "Dr. Ada Lovelace, Superintendent",
        "granted_on": datetime.date(2026, 10, 1),
        "written_as": "letter",
        "decided_as": "superintendent",
    }
    with pytest.raises(PermissionDenied):
        tool_services.logo_permission_grant(acting_user=world.principal, subject=account, **grant)
    with pytest.raises(ValidationError):
        tool_services.logo_permission_grant(
            acting_user=world.superintendent, subject=account, **{**grant, "granted_by_name": ""}
        )

    permission = tool_services.logo_permission_grant(acting_user=world.superintendent, subject=account, **grant)

    assert tool_selectors.current_logo_permission(account) == permission
    assert (permission.decided_as, permission.written_as, permission.recorded_by) == (
        "superintendent",
        "letter",
        world.superintendent,
    )
    assert permission.summary == (
        "Permitted by Dr. Ada Lovelace, Superintendent (The Superintendent) on October 1, 2026, signed letter or form"
    )
    assert permission.history.latest().history_user == world.superintendent
