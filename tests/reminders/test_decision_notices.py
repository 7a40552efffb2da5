"""People hear about decisions on their own requests: one e-mail each, claimed in the reminder log
with the decision, so a retried send or a repeated delivery never sends a second."""

from __future__ import annotations

import pytest
from django.core import mail

from authorizations.services import authorization_grant
from disclosures.services import disclosure_comment_add, disclosure_return
from registry.models import AccountStatus
from registry.services import account_approve, account_confirm_communications, account_reject
from reminders import services
from reminders.models import Reminder, ReminderStatus
from tests.disclosures.filing import file_none
from tests.factories import AuthorizationFactory, ProgramFactory, SocialAccountFactory, ToolRequestFactory
from tests.reminders.mail_server import refuse_once
from tools import services as tool_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def deliver_everything() -> None:
    services.reminders_deliver(list(Reminder.objects.values_list("pk", flat=True)))


def mail_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def requested_account(world):
    return SocialAccountFactory(
        school=world.school, status=AccountStatus.REQUESTED, launched_on=None, requested_by=world.staff,
        display_name="Robotics Club",
    )  # fmt: skip


def test_the_requester_hears_an_account_refused_with_the_reason_once(world, today):
    account_reject(acting_user=world.director, account=requested_account(world), reason="The club already has one.")
    deliver_everything()
    deliver_everything()  # a retried task: the log says it went
    [message] = mail_to(world.staff)
    assert message.subject == "Not approved: Robotics Club"
    assert "The club already has one." in message.body
    assert message.from_email.startswith(world.district.name) or world.district.name in message.body


def test_each_step_of_an_account_request_is_one_email(world, today):
    world.district.communications_review_before_launch = True
    world.district.save()
    account = account_approve(acting_user=world.director, account=requested_account(world))
    account_confirm_communications(acting_user=world.communications, account=account)
    deliver_everything()
    subjects = sorted(message.subject for message in mail_to(world.staff))
    assert subjects == ["Approved, next the communications office: Robotics Club", "Ready to launch: Robotics Club"]


def test_a_tool_request_and_an_authorization_tell_their_requester(world, today):
    request = ToolRequestFactory(requested_by=world.staff, tool_name="Padlet")
    tool_services.tool_request_approve(
        acting_user=world.superintendent, tool_request=request, decided_as="superintendent"
    )
    band = ProgramFactory(school=world.school, name="Band")
    authorization = AuthorizationFactory(program=band, staff_member=world.staff)
    authorization_grant(acting_user=world.superintendent, authorization=authorization, decided_as="superintendent")
    deliver_everything()
    subjects = sorted(message.subject for message in mail_to(world.staff))
    assert subjects[0].startswith("Approved: your request to use Padlet")
    assert subjects[1].startswith("Authorized:") and "Band" in subjects[1]


def test_a_decision_sent_after_a_refusing_mail_server_goes_once(world, today, monkeypatch):
    account_reject(acting_user=world.director, account=requested_account(world), reason="No.")
    refuse_once(monkeypatch)
    [reminder] = Reminder.objects.filter(kind="account_decided")
    with pytest.raises(services.SendFailed):
        services.reminders_deliver([reminder.pk])
    services.reminders_deliver([reminder.pk])  # the retry
    services.reminders_deliver([reminder.pk])  # a duplicate delivery of the same task
    assert len(mail_to(world.staff)) == 1
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENT


def test_nobody_is_told_of_their_own_decision(world, today):
    own = SocialAccountFactory(school=world.school, status=AccountStatus.REQUESTED, requested_by=world.director)
    account_approve(acting_user=world.director, account=own)
    assert not Reminder.objects.filter(kind="account_decided").exists()


def test_a_returned_disclosure_carries_the_comment_for_the_employee_and_never_the_internal_note(world, cycle, today):
    filed = file_none(world.staff, cycle)
    disclosure_comment_add(acting_user=world.director, disclosure=filed, text="Internal: ask HR first.")
    disclosure_return(acting_user=world.director, disclosure=filed, comment="Add the booster club's page.")
    deliver_everything()
    deliver_everything()
    [message] = mail_to(world.staff)
    assert "Add the booster club's page." in message.body
    assert "HR" not in message.body and "HR" not in message.alternatives[0][0]
