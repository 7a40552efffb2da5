"""Audit fixtures: a frozen clock, and a district where every audited kind changes, through the
services, one minute after another."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from accounts import services as account_services
from accounts.models import District, Membership, Role, User
from authorizations import services as authorization_services
from consent import services as consent_services
from consent.models import ConsentScope, ScopeKind
from disclosures import services as disclosure_services
from disclosures.models import DisclosedNetwork, Disclosure, DisclosureCycle, NetworkPart, NetworkPlatform, NetworkRunBy
from registry import services as registry_services
from registry.models import SocialAccount
from registry.profile_urls import resolve_profile
from registry.services import Designation
from tests.factories import ProgramFactory, StudentFactory, platform, staff_at
from tools import services as tool_services
from tools.models import Tool, ToolRequest

# 9:00 in the morning in Chicago (settings.TIME_ZONE).
NOW = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 21)


@pytest.fixture
def clock(world):
    """Time stands still at NOW until a test moves it (clock.move_to, clock.shift). The history the
    persona world's setup wrote (at whatever time the suite runs) is moved a year back, out of the
    periods the tests read."""
    for model in (District, User, Membership):
        model.history.update(history_date=NOW - datetime.timedelta(days=365))
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def request_account(world, handle: str = "@north.band", by=None, **overrides) -> SocialAccount:
    by = by or world.staff
    return registry_services.account_request(
        acting_user=by,
        platform=platform("instagram"),
        address=resolve_profile("instagram", handle=handle),
        details={
            "display_name": "North High Band",
            "owner_kind": "school",
            "school": world.school,
            "purpose": "Concert dates.",
            "audience": "families",
            "login_email": "band@north.example.org",
            "recovery_method": "password_manager",
            **overrides,
        },
        administrators=[Designation(by, "primary")],
    )


def new_tool(world, name: str = "Padlet", by=None) -> Tool:
    return tool_services.tool_save(acting_user=by or world.director, tool=Tool(district=world.district, name=name))


def open_cycle(world) -> DisclosureCycle:
    world.district.disclosure_required = True
    world.district.save()
    return disclosure_services.disclosure_cycle_create(
        acting_user=world.director,
        district=world.district,
        school_year_start=2026,
        opens_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 12, 1),
    )


def add_network(user, disclosure, name: str = "Band parents") -> DisclosedNetwork:
    return disclosure_services.network_add(
        acting_user=user,
        disclosure=disclosure,
        platform=NetworkPlatform.FACEBOOK,
        name=name,
        run_by=NetworkRunBy.PARENTS,
        part=NetworkPart.MEMBER,
    )


def sign(user, disclosure: Disclosure) -> Disclosure:
    return disclosure_services.disclosure_submit(
        acting_user=user,
        disclosure=disclosure,
        signed_name=user.full_name,
        signed_hash=disclosure.cycle.attestation_hash,
    )


def social_scope(world) -> ConsentScope:
    consent_services.consent_scopes_set_up(acting_user=world.director, district=world.district)
    return ConsentScope.objects.get(district=world.district, kind=ScopeKind.SOCIAL_MEDIA)


class Activity:
    """Each round changes every audited kind once (and records a consent answer and a purge), a
    minute apart, as the people whose job it is."""

    def __init__(self, world, clock) -> None:
        self.world = world
        self.clock = clock
        self.rounds = 0
        self.cycle: DisclosureCycle | None = None
        self.filing: Disclosure | None = None
        self.scope = social_scope(world)
        self.pupil = StudentFactory(school=world.school, first_name="Robin", last_name="Reyes", sis_id="N1001")
        self.colleague = staff_at(world.school, email="colleague@north.example.org")

    def tick(self) -> None:
        self.clock.shift(datetime.timedelta(minutes=1))

    def round(self) -> None:
        world, n = self.world, self.rounds
        self.rounds += 1
        steps = [
            lambda: self._account(n),
            lambda: self._tool(n),
            lambda: self._people(n),
            lambda: self._disclosure(n),
            lambda: self._consent(n),
        ]
        for step in steps:
            step()
            self.tick()
        world.district.refresh_from_db()

    def _account(self, n: int) -> None:
        world = self.world
        account = request_account(world, handle=f"@north.band{n}", display_name=f"North High Band {n}")
        self.tick()
        account = registry_services.account_approve(acting_user=world.director, account=account)
        self.tick()
        account = registry_services.account_activate(acting_user=world.staff, account=account)
        self.tick()
        registry_services.account_review_record(
            acting_user=world.staff,
            account=account,
            outcome="recertified",
            administrators_confirmed=True,
            purpose_confirmed=True,
            follows_policy=True,
        )
        self.tick()
        tool_services.logo_permission_grant(
            acting_user=world.superintendent,
            subject=account,
            decided_as="superintendent",
            granted_by_name="Dr. Ann Lee",
            granted_on=TODAY,
            written_as="letter",
        )

    def _tool(self, n: int) -> None:
        world = self.world
        tool = new_tool(world, name=f"Padlet {n}")
        self.tick()
        tool = tool_services.tool_decide(
            acting_user=world.superintendent, tool=tool, status="approved", decided_as="superintendent"
        )
        self.tick()
        tool_services.tool_request_submit(
            acting_user=world.staff,
            tool_request=ToolRequest(tool_name=f"Book Creator {n}", purpose="E-books.", students="Grade 4."),
        )
        self.tick()
        program = ProgramFactory(school=world.school, name=f"Robotics {n}")
        authorization = authorization_services.authorization_request(
            acting_user=world.staff,
            tool=tool,
            program=program,
            purpose="Build updates.",
            starts_on=TODAY,
            ends_on=TODAY + datetime.timedelta(days=30),
        )
        self.tick()
        authorization_services.authorization_grant(
            acting_user=world.superintendent, authorization=authorization, decided_as="superintendent"
        )
        self.tick()
        designee = tool_services.designee_add(
            acting_user=world.superintendent, district=world.district, user=self.colleague, power="tools"
        )
        self.tick()
        tool_services.designee_end(acting_user=world.superintendent, designee=designee)

    def _people(self, n: int) -> None:
        world = self.world
        account_services.staff_employment_update(
            acting_user=world.director,
            user=self.colleague,
            started_on=datetime.date(2020, 8, 1) + datetime.timedelta(days=n),
            supervisor=world.principal,
        )
        self.tick()
        role = account_services.membership_grant(
            acting_user=world.director, user=self.colleague, role=Role.CLERK, school=world.school
        )
        self.tick()
        account_services.membership_end(acting_user=world.director, membership=role)
        self.tick()
        district = world.district
        district.reminder_days_before_due = 10 + n
        district._history_user = world.superintendent
        district.save()

    def _disclosure(self, n: int) -> None:
        world = self.world
        if self.cycle is None:
            self.cycle = open_cycle(world)
            self.tick()
            draft = disclosure_services.disclosure_start(acting_user=world.staff, cycle=self.cycle)
        else:
            disclosure_services.disclosure_cycle_update(
                acting_user=world.director, cycle=self.cycle, new_hire_grace_days=30 + n
            )
            self.tick()
            draft = disclosure_services.disclosure_amend(acting_user=world.staff, disclosure=self.filing)
        self.tick()
        add_network(world.staff, draft, name=f"Band parents {n}")
        self.tick()
        self.filing = sign(world.staff, draft)

    def _consent(self, n: int) -> None:
        world = self.world
        self.scope.description = f"Photos on the district's pages ({n})"
        consent_services.consent_scope_save(acting_user=world.director, scope=self.scope)
        self.tick()
        consent_services.consent_record(
            acting_user=world.clerk,
            student=self.pupil,
            scope=self.scope,
            decision="granted" if n % 2 == 0 else "refused",
            received_on=TODAY,
        )
        self.tick()
        consent_services.students_purge_departed(district=world.district)


@pytest.fixture
def activity(world, clock) -> Activity:
    return Activity(world, clock)
