"""Consent fixtures: the persona world with each district's standard scopes."""

from __future__ import annotations

import pytest

from consent.models import ConsentScope, ScopeKind
from consent.services import consent_scopes_set_up


@pytest.fixture
def scopes(world) -> dict[str, ConsentScope]:
    """The standard scopes of the world's district (written consent, public-arena exception),
    keyed by kind; the district next door gets its own."""
    world.district.photo_model = "written_consent"
    world.district.public_arena_exception = True
    world.district.save()
    consent_scopes_set_up(acting_user=None, district=world.district)
    consent_scopes_set_up(acting_user=None, district=world.other_district)
    return {scope.kind: scope for scope in ConsentScope.objects.filter(district=world.district)}


@pytest.fixture
def social(scopes) -> ConsentScope:
    return scopes[ScopeKind.SOCIAL_MEDIA]
