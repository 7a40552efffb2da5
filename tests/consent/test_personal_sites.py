"""“May I post this student?” asks where: an official account (by name) or a personal site, and
answers per the policy (458: never on personal sites; 4118.51: personal sites follow written consent)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from consent import rules, services
from consent.models import ScopeKind
from tests.factories import AdministratorFactory, SocialAccountFactory, StudentFactory


@pytest.fixture
def pupil(world, scopes):
    student = StudentFactory(school=world.school, last_name="Lindqvist")
    services.consent_record(
        acting_user=world.clerk,
        student=student,
        scope=scopes[ScopeKind.SOCIAL_MEDIA],
        decision="granted",
        received_on=datetime.date(2026, 9, 2),
    )
    return student


def forbid_personal_sites(world):
    world.district.personal_site_student_photos = "never"  # 458
    world.district.save()


def test_under_458_no_student_picture_is_posted_on_a_personal_site(world, scopes, pupil, today):
    forbid_personal_sites(world)
    social = scopes[ScopeKind.SOCIAL_MEDIA]
    social.district.refresh_from_db()

    on_a_personal_site = rules.posting_answer(pupil, social, where=rules.Where.PERSONAL)
    at_a_game = rules.posting_answer(pupil, social, public_arena=True, where=rules.Where.PERSONAL)

    assert not on_a_personal_site.allowed
    assert not at_a_game.allowed
    assert "personal" in on_a_personal_site.reason
    assert rules.posting_answer(pupil, social, where=rules.Where.OFFICIAL).allowed


def test_where_personal_sites_follow_the_same_rule_a_consent_on_file_allows_them(world, scopes, pupil, today):
    assert rules.posting_answer(pupil, scopes[ScopeKind.SOCIAL_MEDIA], where=rules.Where.PERSONAL).allowed


def test_the_check_asks_where_and_answers_for_a_personal_site(client, world, scopes, pupil, today):
    forbid_personal_sites(world)
    client.force_login(world.staff)

    page = client.get(reverse("consent:check"), {"q": "Lindqvist", "where": "personal"}).content.decode()

    assert "Where will it be posted?" in page
    assert "A personal site or account" in page
    assert "Do not post" in page
    assert "The policy does not allow pictures of students on personal sites" in page


def test_the_check_names_the_official_account_it_answers_for(client, world, scopes, pupil, today):
    account = SocialAccountFactory(school=world.school, display_name="North High Robotics")
    AdministratorFactory(account=account, user=world.staff)
    client.force_login(world.staff)

    page = client.get(reverse("consent:check"), {"q": "Lindqvist", "where": f"account:{account.pk}"}).content.decode()

    assert "On North High Robotics" in page
    assert "May be posted" in page


def test_the_check_refuses_an_account_the_user_cannot_see(client, world, scopes, pupil, today):
    foreign = SocialAccountFactory(school=world.foreign_school)
    client.force_login(world.staff)

    response = client.get(reverse("consent:check"), {"q": "Lindqvist", "where": f"account:{foreign.pk}"})

    assert response.status_code == 404
