"""Disclosure before power (District.disclosure_before_power): where the policy says so, an employee
who has not filed this school year's disclosure is not designated an account administrator and may
not ask to use a tool with students; the refusal says why and links to the filing. The rule lives in
disclosures.selectors.power_refusal, reached through core.power by the registry and authorizations."""

from __future__ import annotations

import datetime
import html

import pytest
from django.urls import reverse

from authorizations import services as authorization_services
from authorizations.models import Authorization
from core import power
from core.power import PowerRefused
from registry import services as registry_services
from registry.services import Designation
from tests.disclosures.conftest import open_cycle
from tests.disclosures.filing import file_none
from tests.factories import ProgramFactory, SocialAccountFactory, ToolFactory, platform
from tests.registry.conftest import address, details

LINK = '<a href="/disclosures/">File the disclosure</a>'


@pytest.fixture
def cycle(world, today):
    return open_cycle(world, disclosure_before_power=True)


@pytest.fixture
def account(world):
    return SocialAccountFactory(school=world.school, display_name="North High Band")


def _designate(client, world, account):
    client.force_login(world.director)
    url = reverse("registry:administrator_add", args=[account.pk])
    return client.post(url, {"email": world.staff.email, "role": "backup"}, follow=True)


def _ask(client, world):
    tool = ToolFactory(district=world.district, name="Padlet")
    club = ProgramFactory(school=world.school, name="Robotics Club")
    client.force_login(world.staff)
    data = {
        "tool": tool.pk,
        "program": club.pk,
        "purpose": "Share the science fair.",
        "starts_on": "2026-12-01",
        "ends_on": "2027-05-31",
    }
    return client.post(reverse("authorizations:new"), data)


def test_it_refuses_to_designate_an_administrator_who_has_not_filed(client, world, cycle, account):
    response = _designate(client, world, account)

    assert not account.administrators.exists()
    page = html.unescape(response.text)
    assert f"{world.staff.full_name} has not filed the 2026–27 disclosure" in page
    assert LINK in response.text


def test_it_refuses_the_administrators_named_with_a_new_account(world, cycle):
    with pytest.raises(PowerRefused) as refused:
        registry_services.account_request(
            acting_user=world.staff,
            platform=platform("instagram"),
            address=address(),
            details=details(world.school),
            administrators=[Designation(world.staff, "primary")],
        )

    assert refused.value.url == reverse("disclosures:home")


def test_it_designates_once_the_disclosure_is_filed(client, world, cycle, account):
    file_none(world.staff, cycle)

    _designate(client, world, account)

    assert account.administrators.get().user == world.staff


def test_it_refuses_a_request_to_use_a_tool_with_students_before_filing(client, world, cycle):
    response = _ask(client, world)

    assert response.status_code == 400
    assert "has not filed the 2026–27 disclosure" in html.unescape(response.text)
    assert LINK in response.text
    assert not Authorization.objects.exists()


def test_it_takes_the_request_once_filed(client, world, cycle):
    file_none(world.staff, cycle)

    response = _ask(client, world)

    assert response.status_code == 302
    assert Authorization.objects.get().staff_member == world.staff


def test_it_refuses_nothing_when_the_option_is_off(client, world, today, account):
    open_cycle(world)  # disclosures required, the option left off: nobody has filed

    _designate(client, world, account)
    response = _ask(client, world)

    assert account.administrators.get().user == world.staff
    assert response.status_code == 302


def test_it_refuses_nothing_while_there_is_nothing_to_file(world, today, account):
    world.district.disclosure_required = True
    world.district.disclosure_before_power = True
    world.district.save()  # no cycle for this school year: nobody can file yet

    registry_services.administrator_add(acting_user=world.director, account=account, user=world.staff)

    assert account.administrators.get().user == world.staff


def test_it_refuses_nothing_when_the_district_asks_for_no_disclosures(world, today, account):
    open_cycle(world, disclosure_before_power=True)
    world.district.disclosure_required = False
    world.district.save()

    registry_services.administrator_add(acting_user=world.director, account=account, user=world.staff)

    assert account.administrators.get().user == world.staff


def test_it_asks_one_rule_for_both_powers(world, cycle):
    refused = power.refusal(world.staff, world.district, datetime.date(2026, 11, 21))

    assert refused is not None and refused.text.startswith(world.staff.full_name)
    with pytest.raises(PowerRefused):
        authorization_services.authorization_request(
            acting_user=world.staff,
            tool=ToolFactory(district=world.district),
            program=ProgramFactory(school=world.school),
            purpose="Share the science fair.",
            starts_on=datetime.date(2026, 12, 1),
            ends_on=datetime.date(2027, 5, 31),
        )


def test_it_is_an_option_of_the_policy_profile(client, world):
    client.force_login(world.director)

    page = client.get(reverse("district_edit", args=[world.district.slug])).text

    assert 'name="disclosure_before_power"' in page
    assert "disclosure filed before any power" in page.lower()
