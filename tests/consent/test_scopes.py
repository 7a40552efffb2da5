"""Scopes: each district starts with the standard four, shaped by its policy profile."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from accounts.models import District
from authorizations import services as authorization_services
from consent import selectors, services
from consent.models import ConsentRecord, ConsentScope
from tests.factories import AuthorizationFactory, DistrictFactory, ProgramFactory, ToolFactory
from tools.models import DecidedAs

pytestmark = pytest.mark.django_db


def test_it_sets_up_social_media_as_written_consent_under_policy_460(db):
    district = DistrictFactory(photo_model="written_consent", public_arena_exception=True)

    services.consent_scopes_set_up(acting_user=None, district=district)

    social = district.consent_scopes.get(kind="social_media")
    assert (social.model, social.public_arena_exception, social.renewed_each_school_year) == (
        "written_consent",
        True,
        False,  # 460 asks for written consent, not for it again each year
    )
    assert district.consent_scopes.get(kind="yearbook").model == "opt_out"  # the yearbook is not lost by accident


def test_it_sets_up_an_opt_out_list_without_the_exception_under_policy_458(db):
    district = DistrictFactory(photo_model="opt_out", public_arena_exception=False)

    services.consent_scopes_set_up(acting_user=None, district=district)

    social = district.consent_scopes.get(kind="social_media")
    assert (social.model, social.public_arena_exception, social.renewed_each_school_year) == ("opt_out", False, False)


def test_it_adds_only_the_missing_standard_scopes(world):
    services.consent_scopes_set_up(acting_user=None, district=world.district)
    world.district.consent_scopes.filter(kind="news_media").delete()

    created = services.consent_scopes_set_up(acting_user=world.director, district=world.district)

    assert [scope.kind for scope in created] == ["news_media"]
    assert world.district.consent_scopes.count() == 4


def test_it_refuses_scope_set_up_by_a_principal(world):
    with pytest.raises(PermissionDenied):
        services.consent_scopes_set_up(acting_user=world.principal, district=world.district)


def test_it_records_who_changed_a_scopes_rule(client, world, scopes):
    social = scopes["social_media"]
    client.force_login(world.superintendent)

    response = client.post(
        reverse("consent:scope_edit", args=[world.district.slug, social.pk]),
        {
            "name": social.name,
            "model": "opt_out",
            "position": 1,
            "active": "on",
            "differs_because": "Board resolution 2026-14",  # follows_policy unticked: it differs, and says why
        },
    )

    assert response.status_code == 302
    social.refresh_from_db()
    assert social.model == "opt_out"
    assert social.history.first().history_user == world.superintendent


def test_it_adds_a_district_scope_and_refuses_a_duplicate_name(client, world, scopes):
    client.force_login(world.director)
    url = reverse("consent:scope_new", args=[world.district.slug])
    data = {
        "name": "Field trip photos",
        "model": "written_consent",
        "public_arena_exception": "on",  # the profile's rule, which a new scope follows
        "follows_policy": "on",
        "position": 5,
        "active": "on",
    }

    assert client.post(url, data).status_code == 302
    again = client.post(url, data)

    assert again.status_code == 200 and "already exists" in again.content.decode()
    assert ConsentScope.objects.filter(district=world.district, name="Field trip photos").count() == 1


def test_it_will_not_edit_another_districts_scope_through_its_own_address(client, world, scopes):
    foreign = world.other_district.consent_scopes.first()
    client.force_login(world.director)

    response = client.get(reverse("consent:scope_edit", args=[world.district.slug, foreign.pk]))

    assert response.status_code == 404


def test_it_leaves_retired_scopes_off_the_pages(world, scopes):
    scopes["news_media"].active = False
    scopes["news_media"].save()

    assert [scope.kind for scope in selectors.active_scopes(world.district)] == ["social_media", "website", "yearbook"]


def test_the_demo_gives_every_district_its_scopes_and_answers_in_every_state():
    call_command("load_demo")
    call_command("load_demo")  # loading twice changes nothing

    for district in District.objects.all():
        # Bloomington keeps its directory-information opt-out list too: it governs social media (458).
        expected = 5 if district.slug == "bloomington" else 4
        assert district.consent_scopes.exclude(kind="participation").count() == expected
        # Two demo authorizations need families' consent to take part: Instagram and YouTube.
        assert district.consent_scopes.filter(kind="participation").count() == 2
    willmar = ConsentRecord.objects.filter(scope__district__slug="willmar")
    assert {"granted", "refused", "withdrawn"} <= set(willmar.values_list("decision", flat=True))
    assert ConsentRecord.objects.filter(scope__district__slug="bloomington", decision="refused").exists()


def test_it_keeps_participation_scopes_off_the_scope_settings(client, world):
    """A tool's participation consent follows its authorization: it is not listed or edited with picture scopes."""
    tool = ToolFactory(district=world.district, is_public_social_media=True, parental_consent_required=True)
    authorization = AuthorizationFactory(
        program=ProgramFactory(school=world.school), tool=tool, ends_on=datetime.date(2099, 1, 1)
    )
    authorization = authorization_services.authorization_grant(
        acting_user=world.superintendent, authorization=authorization, decided_as=DecidedAs.SUPERINTENDENT
    )
    client.force_login(world.director)
    listing = client.get(reverse("consent:scope_list", args=[world.district.slug]))
    assert authorization.participation_scope.name not in listing.content.decode()
    edit = reverse("consent:scope_edit", args=[world.district.slug, authorization.participation_scope.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "x", "model": "opt_out"}).status_code == 404
