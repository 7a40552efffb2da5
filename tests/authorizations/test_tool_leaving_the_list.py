"""An authorization never outlives its tool: a tool declared not approved, put back under review or
retired suspends the authorizations to use it with students, says why, and tells whoever asked for
them and whoever authorized them."""

from __future__ import annotations

import pytest
from django.core import mail

from authorizations import selectors
from authorizations.models import Authorization, AuthorizationStatus
from compliance import obligations
from reminders import services as reminder_services
from reminders.models import Reminder
from tests.authorizations.test_authorizations import ask, authorize, enrol
from tests.factories import ProgramFactory, ToolFactory
from tools import services as tool_services
from tools.models import ToolStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def instagram(world):
    return ToolFactory(district=world.district, name="Instagram", category="social_media", is_public_social_media=True)


@pytest.fixture
def granted(world, today, instagram):
    club = ProgramFactory(school=world.school, name="Robotics Club")
    enrol(club, 2)
    return authorize(world, ask(world, instagram, club))


def test_it_suspends_authorizations_when_their_tool_is_retired_and_says_why(world, granted, instagram):
    tool_services.tool_set_aside(
        acting_user=world.director, tool=instagram, status=ToolStatus.RETIRED, reason="Privacy agreement lapsed."
    )

    suspended = Authorization.objects.get(pk=granted.pk)
    assert suspended.status == AuthorizationStatus.SUSPENDED
    assert "Instagram" in suspended.end_reason and "Privacy agreement lapsed." in suspended.end_reason
    assert not selectors.with_readiness(Authorization.objects.filter(pk=granted.pk)).get().is_ready
    assert not selectors.authorizations_in_force(Authorization.objects.filter(pk=granted.pk)).exists()


@pytest.mark.parametrize("status", [ToolStatus.NOT_APPROVED, ToolStatus.UNDER_REVIEW])
def test_it_suspends_authorizations_whatever_takes_the_tool_off_the_list(world, granted, instagram, status):
    if status == ToolStatus.NOT_APPROVED:
        tool_services.tool_decide(
            acting_user=world.superintendent, tool=instagram, status=status, decided_as="superintendent"
        )
    else:
        tool_services.tool_set_aside(acting_user=world.director, tool=instagram, status=status, reason="Re-checking.")

    assert Authorization.objects.get(pk=granted.pk).status == AuthorizationStatus.SUSPENDED


def test_it_keeps_authorizations_when_the_tool_stays_on_the_list(world, granted, instagram):
    tool_services.tool_decide(
        acting_user=world.superintendent,
        tool=instagram,
        status=ToolStatus.APPROVED_WITH_CONDITIONS,
        decided_as="superintendent",
        conditions="Club accounts only.",
    )

    assert Authorization.objects.get(pk=granted.pk).status == AuthorizationStatus.AUTHORIZED


def test_it_tells_the_requester_and_the_approver_once(world, granted, instagram):
    tool_services.tool_set_aside(
        acting_user=world.director, tool=instagram, status=ToolStatus.RETIRED, reason="Privacy agreement lapsed."
    )
    reminder_services.reminders_deliver(list(Reminder.objects.values_list("pk", flat=True)))
    reminder_services.reminders_deliver(list(Reminder.objects.values_list("pk", flat=True)))

    # (The earlier "authorized" notice, delivered only now, is read at sending time: left out here.)
    suspended = [message for message in mail.outbox if "must stop using Instagram" in message.body]
    told = sorted(message.to[0] for message in suspended)
    assert told == sorted([world.staff.email, world.superintendent.email])
    [message] = [m for m in suspended if m.to == [world.staff.email]]
    assert "Privacy agreement lapsed." in message.body
    assert world.district.name in message.body


def test_it_lists_a_suspended_class_for_the_staff_member_using_it(world, granted, instagram, today):
    tool_services.tool_set_aside(
        acting_user=world.director, tool=instagram, status=ToolStatus.RETIRED, reason="Privacy agreement lapsed."
    )

    items = obligations.own_classes(world.staff, today).items
    assert [item.key for item in items] == ["own_class_suspended"]
    assert "Instagram" in items[0].title
