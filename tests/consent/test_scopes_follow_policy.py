"""One source of truth: the consent scopes follow the policy profile; a scope that deliberately
differs says so, and why, where the rule is shown."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import district_policy_save
from consent import services
from consent.models import ConsentScope, ScopeKind


def scope_of(world, kind):
    return ConsentScope.objects.select_related("district").get(district=world.district, kind=kind)


def test_changing_the_photo_model_in_the_profile_changes_the_scopes_that_follow_it(world, scopes):
    district_policy_save(
        acting_user=world.director,
        district=world.district,
        values={"photo_model": "opt_out", "public_arena_exception": False},
    )

    social = scope_of(world, ScopeKind.SOCIAL_MEDIA)
    assert (social.model, social.public_arena_exception) == ("opt_out", False)
    assert scope_of(world, ScopeKind.NEWS_MEDIA).model == "opt_out"
    assert scope_of(world, ScopeKind.YEARBOOK).model == "opt_out"  # directory information: opt-out whatever
    assert social.history.first().history_change_reason == "Policy profile changed"
    assert social.history.first().history_user == world.director


def test_naming_the_directory_information_list_in_the_profile_sets_it_up(world, scopes):
    district_policy_save(
        acting_user=world.director, district=world.district, values={"social_media_photo_lists": "both"}
    )

    assert ConsentScope.objects.filter(district=world.district, kind=ScopeKind.DIRECTORY_INFORMATION).exists()


def test_a_scope_cannot_be_edited_away_from_the_profile_silently(world, scopes):
    social = scope_of(world, ScopeKind.SOCIAL_MEDIA)
    social.model = "opt_out"

    with pytest.raises(ValidationError, match="follows the policy profile"):
        services.consent_scope_save(acting_user=world.director, scope=social)


def test_a_scope_that_deliberately_differs_keeps_its_rule_and_says_why(client, world, scopes):
    social = scope_of(world, ScopeKind.SOCIAL_MEDIA)
    social.model = "opt_out"
    social.follows_policy = False
    with pytest.raises(ValidationError, match="why"):
        services.consent_scope_save(acting_user=world.director, scope=social)
    social.differs_because = "Board resolution 2026-14: opt-out for social media"
    services.consent_scope_save(acting_user=world.director, scope=social)

    district_policy_save(acting_user=world.director, district=world.district, values={"public_arena_exception": False})

    social.refresh_from_db()
    assert (social.model, social.public_arena_exception) == ("opt_out", True)  # left as the district decided
    client.force_login(world.director)
    for url in (reverse("consent:scope_list", args=[world.district.slug]), reverse("consent:home")):
        page = client.get(url).content.decode()
        assert "Differs from the policy profile" in page
        assert "Board resolution 2026-14" in page


def test_the_consent_page_states_the_rule_the_lists_follow(client, world, scopes):
    district_policy_save(acting_user=world.director, district=world.district, values={"photo_model": "opt_out"})

    client.force_login(world.director)
    page = client.get(reverse("consent:home")).content.decode()
    assert "Post only with a parent" not in page
    assert "Post unless the family opted out" in page


def test_the_director_is_told_of_a_scope_that_differs_from_the_profile(client, world, scopes):
    social = scope_of(world, ScopeKind.SOCIAL_MEDIA)
    social.follows_policy = False
    social.model = "opt_out"
    social.differs_because = "Board resolution 2026-14"
    services.consent_scope_save(acting_user=world.director, scope=social)

    client.force_login(world.director)
    page = client.get(reverse("home")).content.decode()

    assert "1 consent scope differs from the policy profile" in page
