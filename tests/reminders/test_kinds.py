"""Each kind of reminder reaches the people the policy makes responsible, at the time it says,
and every kind has its e-mail."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from accounts.models import Approver, RosterSync, User
from accounts.services import staff_invite
from authorizations.services import authorization_decline, authorization_grant
from consent.selectors import active_scopes
from consent.services import consent_scopes_set_up, family_links_send
from core.notify import Notice, notify
from disclosures.services import disclosure_return
from registry.models import AccountStatus
from registry.services import account_reject
from reminders import services
from reminders.kinds import KINDS
from reminders.models import Reminder
from tests.disclosures.conftest import open_cycle
from tests.disclosures.filing import file_none
from tests.factories import (
    AdministratorFactory,
    AuthorizationFactory,
    ProgramFactory,
    SocialAccountFactory,
    StudentFactory,
    ToolFactory,
    ToolRequestFactory,
    guardian_of,
)
from tools import services as tool_services

TODAY = datetime.date(2026, 11, 21)


def owed(kind: str) -> set[tuple[int, str, str]]:
    return set(Reminder.objects.filter(kind=kind).values_list("recipient_id", "object_key", "period"))


@pytest.fixture
def account(world, today):
    """A live school account whose review is due in ten days, with one current administrator."""
    account = SocialAccountFactory(school=world.school, district=world.district,
                                   next_review_on=TODAY + datetime.timedelta(days=10))  # fmt: skip
    AdministratorFactory(account=account, user=world.staff)
    return account


def test_administrators_are_told_a_review_is_due(world, account):
    services.reminders_plan(today=TODAY)
    assert owed("account_review_due") == {(world.staff.pk, f"account:{account.pk}", "review-2026-12-01")}


def test_an_overdue_review_repeats_and_reaches_the_director_after_an_interval(world, account, on):
    day = datetime.date(2026, 12, 2)  # one day past
    with on(day):
        services.reminders_plan(today=day)
    assert owed("account_review_overdue") == {(world.staff.pk, f"account:{account.pk}", "review-2026-12-01-late-0")}
    day = datetime.date(2026, 12, 8)  # seven days past: still the first round
    with on(day):
        services.reminders_plan(today=day)
    assert len(owed("account_review_overdue")) == 1
    day = datetime.date(2026, 12, 9)  # eight days past: the second round, and the director
    with on(day):
        services.reminders_plan(today=day)
    assert owed("account_review_overdue") == {
        (world.staff.pk, f"account:{account.pk}", "review-2026-12-01-late-0"),
        (world.staff.pk, f"account:{account.pk}", "review-2026-12-01-late-1"),
        (world.director.pk, f"account:{account.pk}", "review-2026-12-01-escalated"),
    }


def test_an_account_short_of_administrators_is_reported_weekly(world, today):
    world.district.min_account_administrators = 2
    world.district.save()
    account = SocialAccountFactory(school=world.school, district=world.district)
    AdministratorFactory(account=account, user=world.staff)
    services.reminders_plan(today=TODAY)
    assert owed("account_short_of_administrators") == {
        (world.director.pk, f"account:{account.pk}", "short-2026-W47"),
        (world.staff.pk, f"account:{account.pk}", "short-2026-W47"),
    }


def test_a_request_reaches_whoever_must_act_next(world, today):
    waiting = SocialAccountFactory(school=world.school, district=world.district, status=AccountStatus.REQUESTED)
    looked_at = SocialAccountFactory(
        school=world.school, district=world.district, status=AccountStatus.AWAITING_COMMUNICATIONS
    )
    services.reminders_plan(today=TODAY)
    assert owed("account_awaiting_decision") == {
        (world.director.pk, f"account:{waiting.pk}", "awaiting-approval"),
        (world.communications.pk, f"account:{looked_at.pk}", "awaiting-communications"),
    }


def test_tool_reminders_reach_whoever_the_policy_lets_decide(world, today):
    world.district.tool_approver = Approver.SUPERINTENDENT_OR_DESIGNEE
    world.district.save()
    tool_services.designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power="tools"
    )
    review = ToolFactory(district=world.district, next_review_on=TODAY + datetime.timedelta(days=3))
    agreement = ToolFactory(
        district=world.district,
        privacy_agreement_on_file=True,
        privacy_agreement_expires_on=TODAY + datetime.timedelta(days=5),
    )
    request = ToolRequestFactory(requested_by=world.staff)
    services.reminders_plan(today=TODAY)
    deciders = {world.superintendent.pk, world.director.pk}
    assert {r for r, _, _ in owed("tool_review_due")} == deciders
    assert {key for _, key, _ in owed("tool_review_due")} == {f"tool:{review.pk}"}
    assert {(r, key) for r, key, _ in owed("privacy_agreement_expiring")} == {
        (d, f"tool:{agreement.pk}") for d in deciders
    }
    assert {(r, key) for r, key, _ in owed("tool_request_waiting")} == {
        (d, f"tool_request:{request.pk}") for d in deciders
    }


def test_an_authorization_waiting_reaches_the_superintendent(world, today):
    authorization = AuthorizationFactory(program=ProgramFactory(school=world.school), staff_member=world.staff)
    services.reminders_plan(today=TODAY)
    assert owed("authorization_waiting") == {(world.superintendent.pk, f"authorization:{authorization.pk}", "waiting")}


def test_every_kind_has_its_email(world, cycle, account, today, settings):
    """Plan one of each kind, then send them all: every template trio exists and renders."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.district.min_account_administrators = 2  # the account has one: short of administrators
    world.district.save()
    disclosure_return(acting_user=world.director, disclosure=file_none(world.principal, cycle), comment="Add the URL.")
    ToolFactory(district=world.district, next_review_on=TODAY, privacy_agreement_on_file=True,
                privacy_agreement_expires_on=TODAY)  # fmt: skip
    ToolRequestFactory(requested_by=world.staff)
    AuthorizationFactory(program=ProgramFactory(school=world.school), staff_member=world.staff)
    SocialAccountFactory(school=world.school, district=world.district, status=AccountStatus.REQUESTED)
    consent_scopes_set_up(acting_user=None, district=world.district)
    StudentFactory(school=world.school)  # no answer yet: forms to collect
    # The first Monday of the school year (consent forms, digest), today (due soon, requests),
    # the due date, and a week past it (late, overdue review).
    for day in (datetime.date(2026, 7, 6), TODAY, datetime.date(2026, 12, 1), datetime.date(2026, 12, 9)):
        services.reminders_plan(today=day)
    world.other_district.disclosure_required = True  # South never set up this year's cycle
    world.other_district.save()
    services.reminders_plan(today=TODAY)
    # Notices are claimed by the action they follow, not planned.
    staff_invite(acting_user=world.director, district=world.district, people=User.objects.filter(pk=world.staff.pk))
    services.reminder_send_now(acting_user=world.principal, person=world.staff)
    asked = SocialAccountFactory(school=world.school, status=AccountStatus.REQUESTED, requested_by=world.staff)
    account_reject(acting_user=world.director, account=asked, reason="A page for the club already exists.")
    tool_services.tool_request_decline(
        acting_user=world.superintendent, tool_request=ToolRequestFactory(requested_by=world.staff),
        decided_as="superintendent", reason="No privacy agreement.",
    )  # fmt: skip
    authorization_decline(
        acting_user=world.superintendent,
        authorization=AuthorizationFactory(program=ProgramFactory(school=world.school), staff_member=world.staff),
        decided_as="superintendent", reason="Not for fifth graders.",
    )  # fmt: skip
    used = AuthorizationFactory(program=ProgramFactory(school=world.school), staff_member=world.staff)
    authorization_grant(acting_user=world.superintendent, authorization=used, decided_as="superintendent")
    tool_services.tool_set_aside(acting_user=world.director, tool=used.tool, status="retired", reason="Lapsed.")
    sync = RosterSync.objects.create(district=world.district, last_problem="users.csv, 2, email: not an address")
    notify(Notice("roster_sync_failed", world.district.pk, world.director.pk, f"roster_sync:{sync.pk}", "1", "/"))
    # A family asked online, then reminded a week after the link went out.
    child = StudentFactory(school=world.school)
    guardian_of(child)
    family_links_send(
        acting_user=world.director, students=[child], school_year=2026, scopes=active_scopes(world.district)
    )
    services.reminders_deliver(services.reminders_take_for_queue())
    with time_machine.travel(datetime.datetime(2026, 12, 20, 15, tzinfo=datetime.UTC), tick=False):
        services.reminders_plan(today=datetime.date(2026, 12, 20), districts=[world.district])
        services.reminders_deliver(services.reminders_take_for_queue())
    sent_kinds = set(Reminder.objects.filter(status="sent").values_list("kind", flat=True))
    assert sent_kinds == {kind.key for kind in KINDS}
    assert all(message.subject and "{{" not in message.body for message in mail.outbox)


MONDAY = datetime.date(2026, 11, 23)


def test_each_principal_gets_one_digest_a_week_listing_what_is_outstanding(world, account, settings, on):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.district.min_account_administrators = 2
    world.district.save()
    for day in (MONDAY, MONDAY + datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=7)):
        with on(day):
            services.reminders_plan(today=day)
    north = {row for row in owed("principal_digest") if row[1] != f"school:{world.foreign_school.pk}"}
    assert north == {
        (world.principal.pk, f"school:{world.school.pk}", "digest-2026-W48"),
        (world.other_principal.pk, f"school:{world.other_school.pk}", "digest-2026-W48"),
        (world.principal.pk, f"school:{world.school.pk}", "digest-2026-W49"),
        (world.other_principal.pk, f"school:{world.other_school.pk}", "digest-2026-W49"),
    }
    with on(MONDAY):
        for reminder in Reminder.objects.filter(
            kind="principal_digest", period="digest-2026-W48", district=world.district
        ):
            services.reminder_deliver(reminder.pk)
    [message] = mail.outbox  # the other school has nothing outstanding: its digest is skipped
    assert message.to == [world.principal.email]
    assert "Name administrators for 1 official account" in message.body
    assert Reminder.objects.get(recipient=world.other_principal, period="digest-2026-W48").status == "skipped"


def test_clerks_hear_about_consent_forms_only_at_the_start_of_the_year(world, on):
    world.district.photo_model = "written_consent"
    world.district.save()
    consent_scopes_set_up(acting_user=None, district=world.district)
    for day, expected in ((datetime.date(2026, 7, 21), 1), (datetime.date(2026, 7, 22), 0)):
        Reminder.objects.all().delete()
        with on(day):
            services.reminders_plan(today=day)
        assert len([r for r, _, _ in owed("consent_forms_to_collect") if r == world.clerk.pk]) == expected


def test_an_opt_out_district_is_not_asked_to_collect_forms(world, on):
    """Under an opt-out list no answer means the picture may be posted: nobody chases answers."""
    world.district.photo_model = "opt_out"
    world.district.save()
    consent_scopes_set_up(acting_user=None, district=world.district)
    StudentFactory(school=world.school)  # no answer: allowed to be posted
    with on(datetime.date(2026, 7, 6)):
        services.reminders_plan(today=datetime.date(2026, 7, 6))
    assert owed("consent_forms_to_collect") == set()


def test_a_school_year_without_its_disclosure_cycle_reaches_the_directors_from_its_first_day(world, on):
    """North requires disclosures and set up no 2026-27 cycle: from July 1 (the school year's first
    day), then every interval the policy sets, until a cycle exists."""
    world.district.school_year_start_month = 7
    world.district.overdue_reminder_interval_days = 7
    world.district.save()
    for day in (datetime.date(2026, 6, 30), datetime.date(2026, 7, 1), datetime.date(2026, 7, 2),
                datetime.date(2026, 7, 8)):  # fmt: skip
        with on(day):
            services.reminders_plan(today=day)
    assert {row for row in owed("disclosure_cycle_missing") if row[1] == f"district:{world.district.pk}"} == {
        (world.director.pk, f"district:{world.district.pk}", "2025-missing-52"),  # June 30: last year's, also missing
        (world.director.pk, f"district:{world.district.pk}", "2026-missing-0"),
        (world.director.pk, f"district:{world.district.pk}", "2026-missing-1"),
    }
    open_cycle(world)
    Reminder.objects.all().delete()
    with on(datetime.date(2026, 7, 15)):
        services.reminders_plan(today=datetime.date(2026, 7, 15))
    assert owed("disclosure_cycle_missing") == set()
